/* After a form comes back with mistakes, take the reader to its error summary.
 *
 * Without this file the form's address ends in the form's own id (#aanmelden ...), so the browser
 * already scrolls to the form, whose first element is the summary. Here focus moves to the summary too,
 * so a screen reader reads it out and the next Tab goes to its first link.
 *
 * Twice: at once, and again after the load event, because Chrome applies the address's #fragment when
 * loading ends and, the form not being focusable, clears the focus then. The second time only when
 * the focus is nowhere (the reader has not moved it meanwhile).
 */
(function () {
  "use strict";
  function summary() { return document.querySelector(".error-summary[tabindex]"); }
  function toSummary() {
    var el = summary();
    if (el) { el.focus(); }
  }
  function again() {
    var el = summary(), active = document.activeElement;
    if (el && (!active || active === document.body || active === document.documentElement)) { el.focus(); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", toSummary);
  } else {
    toSummary();
  }
  window.addEventListener("load", function () { window.setTimeout(again, 0); });
}());
