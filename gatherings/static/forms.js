/* After a form comes back with mistakes, take the reader to its error summary.
 *
 * Without this file the form's address ends in the form's own id (#aanmelden ...), so the browser
 * already scrolls to the form, whose first element is the summary. Here focus moves to the summary too,
 * so a screen reader reads it out and the next Tab goes to its first link.
 */
(function () {
  "use strict";
  function toSummary() {
    var summary = document.querySelector(".error-summary[tabindex]");
    if (summary) { summary.focus(); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", toSummary);
  } else {
    toSummary();
  }
}());
