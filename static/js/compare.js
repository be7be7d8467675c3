/* The comparison without page loads: add and remove clinics in place, and a
   print button on the question sheet. Every form here also works without this
   file; when anything unexpected happens the form is simply sent the normal way. */
(function () {
  "use strict";

  function statusBox() {
    return document.querySelector("[data-compare-status]");
  }

  var clearing = null;

  function say(message) {
    var box = statusBox();
    if (!box) return;
    box.textContent = "";
    window.setTimeout(function () { box.textContent = message || ""; }, 30);
    // The message sits above the compare bar; it goes after a while so it covers nothing.
    window.clearTimeout(clearing);
    clearing = window.setTimeout(function () { box.textContent = ""; }, 8000);
  }

  function replaceTray(html, hadFocus) {
    var old = document.querySelector("[data-compare-tray]");
    if (!old) return;
    var wasOpen = Boolean(old.querySelector("[data-compare-details][open]"));
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var fresh = holder.content.firstElementChild;
    if (!fresh) return;
    old.replaceWith(fresh);
    var details = fresh.querySelector("[data-compare-details]");
    if (details && wasOpen) details.open = true;
    if (hadFocus) {
      var target = fresh.querySelector("summary") || document.getElementById("main");
      if (target) target.focus();
    }
  }

  function showCount(trayIds) {
    // The header's Compare link carries the count and leads to the chosen clinics.
    var count = document.querySelector("[data-compare-count]");
    var link = document.querySelector("[data-compare-nav]");
    if (count && count.firstChild) {
      count.firstChild.textContent = " (" + trayIds.length;
      count.hidden = trayIds.length === 0;
    }
    if (link) link.setAttribute("href", trayIds.length ? "/compare?ids=" + trayIds.join(",") : "/compare");
  }

  function markToggles(trayIds) {
    var chosen = trayIds.map(String);
    document.querySelectorAll("form.compare-toggle[data-clinic-id]").forEach(function (form) {
      var inTray = chosen.indexOf(form.getAttribute("data-clinic-id")) !== -1;
      form.setAttribute("action", inTray ? form.dataset.removeUrl : form.dataset.addUrl);
      var button = form.querySelector("button");
      if (!button) return;
      button.classList.toggle("is-chosen", inTray);
      var label = button.querySelector("[data-label]");
      if (label) label.textContent = inTray ? button.dataset.removeLabel : button.dataset.addLabel;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-compare-form]")) return;
    if (!window.fetch || !window.FormData) return;
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") return;
    var tray = document.querySelector("[data-compare-tray]");
    var focusInTray = Boolean(tray && tray.contains(form));
    form.setAttribute("aria-busy", "true");
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) throw new Error("unexpected answer");
      return response.json();
    }).then(function (answer) {
      if (typeof answer.tray === "string") replaceTray(answer.tray, focusInTray);
      if (Array.isArray(answer.tray_ids)) {
        markToggles(answer.tray_ids);
        showCount(answer.tray_ids);
      }
      say(answer.message);
      form.removeAttribute("aria-busy");
    }).catch(function () {
      form.removeAttribute("aria-busy");
      HTMLFormElement.prototype.submit.call(form);
    });
  });

  document.querySelectorAll("[data-print-button]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
}());
