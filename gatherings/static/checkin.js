/* Check-in at the door without reloading the page.
 *
 * Progressive enhancement of templates/attendance/door.html: without this file
 * the search is a GET form and every button a POST form (PRG). With it, typing
 * searches as you go, buttons answer JSON, and the counts refresh themselves.
 * People's names are put in the page with textContent only.
 */
(function () {
  "use strict";
  var door = document.getElementById("door");
  if (!door || !window.fetch || !window.FormData) { return; }

  var searchForm = document.getElementById("door-search");
  var input = document.getElementById("door-q");
  var results = document.getElementById("door-results");
  var doneSection = document.getElementById("door-done");
  var doneList = document.getElementById("door-done-list");
  var status = document.getElementById("door-status");
  var searchUrl = door.getAttribute("data-search-url");
  var minLength = parseInt(door.getAttribute("data-min"), 10) || 2;
  var csrfToken = door.getAttribute("data-csrf") || "";
  var label = function (name) { return door.getAttribute("data-label-" + name) || ""; };
  var timer = null;
  var latest = 0;

  function setCounts(counts) {
    if (!counts) { return; }
    Object.keys(counts).forEach(function (key) {
      var el = door.querySelector('[data-count="' + key + '"]');
      if (el) { el.textContent = String(counts[key]); }
    });
  }

  function say(message) {
    status.textContent = "";
    // A fresh text node makes screen readers announce the same words twice in a row too.
    window.setTimeout(function () { status.textContent = message; }, 30);
  }

  function actionForm(url, text, name, primary, who) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = url;
    form.className = "door-action";
    var token = document.createElement("input");
    token.type = "hidden";
    token.name = "csrf_token";
    token.value = csrfToken;
    form.appendChild(token);
    if (who) {
      var whom = document.createElement("input");
      whom.type = "hidden";
      whom.name = "who";
      whom.value = who;
      form.appendChild(whom);
    }
    var button = document.createElement("button");
    button.type = "submit";
    button.className = primary ? "button button-primary" : "button";
    button.appendChild(document.createTextNode(text));
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " " + name;
    button.appendChild(hidden);
    form.appendChild(button);
    return form;
  }

  function personItem(p) {
    var li = document.createElement("li");
    li.className = "person person-" + p.status + (p.checked_in ? " person-in" : "");
    li.setAttribute("data-id", String(p.id));
    var info = document.createElement("div");
    info.className = "person-info";
    var name = document.createElement("span");
    name.className = "person-name";
    name.textContent = p.name;
    info.appendChild(name);
    if (p.organisation) {
      var org = document.createElement("span");
      org.className = "meta";
      org.textContent = p.organisation;
      info.appendChild(org);
    }
    if (p.needs) {
      var needs = document.createElement("span");
      needs.className = "person-needs";
      needs.textContent = label("needs") + " " + p.needs;
      info.appendChild(needs);
    }
    var state = document.createElement("span");
    state.className = "person-state";
    if (p.status === "waitlisted") { state.textContent = label("waiting"); }
    else if (p.checked_in) { state.textContent = label("in") + " " + p.checked_in_time; }
    else { state.textContent = label("not-in"); }
    info.appendChild(state);
    var pair = p.companion && p.status === "confirmed";
    if (p.companion) {
      var companion = document.createElement("span");
      companion.className = "person-companion";
      companion.textContent = !pair ? label("with-companion")
        : label("companion") + (p.companion_name ? ": " + p.companion_name : "") + " · "
          + (p.companion_checked_in ? label("companion-in") : label("companion-not-in"));
      info.appendChild(companion);
    }
    li.appendChild(info);
    if (p.status === "waitlisted") { li.appendChild(actionForm(p.admit_url, label("admit"), p.name, false)); }
    else if (p.checked_in) { li.appendChild(actionForm(p.undo_url, label("undo"), p.name, false)); }
    else {
      li.appendChild(actionForm(p.check_in_url, pair && !p.companion_checked_in ? label("check-in-pair") : label("check-in"),
                                p.name, true));
    }
    // A participant and their companion may arrive apart: each has a button of their own.
    if (pair) {
      if (!p.checked_in && !p.companion_checked_in) {
        li.appendChild(actionForm(p.check_in_url, label("participant-only"), p.name, false, "participant"));
      }
      if (p.companion_checked_in) {
        li.appendChild(actionForm(p.undo_url, label("companion-undo"), "(" + p.name + ")", false, "companion"));
      } else {
        li.appendChild(actionForm(p.check_in_url, p.checked_in ? label("companion-check-in") : label("companion-only"),
                                  "(" + p.name + ")", false, "companion"));
      }
    }
    return li;
  }

  function getJSON(url) {
    return fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      });
  }

  function search(query) {
    var ticket = ++latest;
    var url = searchUrl + "?q=" + encodeURIComponent(query);
    getJSON(url).then(function (data) {
      if (ticket !== latest) { return; }  // an older answer arriving late
      setCounts(data.counts);
      results.textContent = "";
      data.people.forEach(function (p) { results.appendChild(personItem(p)); });
      if (query) { doneSection.hidden = true; doneList.textContent = ""; }
      if (query.replace(/\s/g, "").length < minLength) { status.textContent = ""; }
      else if (!data.people.length) { say(label("none")); }
      else { say(data.people.length + " " + label("found")); }
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", "?q=" + encodeURIComponent(query));
      }
    }).catch(function () { if (ticket === latest) { say(label("error")); } });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { search(input.value.trim()); }, 200);
  });
  searchForm.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    search(input.value.trim());
  });

  door.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("door-action")) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      var data = answer.data;
      setCounts(data.counts);
      var item = form.closest("li");
      if (item && data.people && data.people.length) {
        var fresh = personItem(data.people[0]);
        if (answer.ok && item.parentNode === results) {
          // Done with this person: they move to "Net gedaan" (with their undo button), and the search is
          // emptied and ready for the next name, as after a reload without JavaScript.
          doneList.textContent = "";
          doneList.appendChild(fresh);
          doneSection.hidden = false;
          item.parentNode.removeChild(item);
          input.value = "";
          results.textContent = "";
          latest++;  // an answer to a search still on its way is for a name no longer typed
          if (window.history && window.history.replaceState) { window.history.replaceState(null, "", "?"); }
          input.focus();
        } else {
          item.parentNode.replaceChild(fresh, item);
          var next = fresh.querySelector("button");
          if (next) { next.focus(); }
        }
      }
      say(data.message || "");
    }).catch(function () {
      if (button) { button.disabled = false; }
      say(label("error"));
    });
  });

  // Other phones at the same door check people in too: keep the counts current.
  window.setInterval(function () {
    if (document.hidden) { return; }
    getJSON(searchUrl).then(function (data) { setCounts(data.counts); }).catch(function () {});
  }, 20000);
})();
