/* "Use my location" on the search forms, and the search panel kept open on wide screens.
 *
 * The button stays hidden unless the browser can share a position. The position goes,
 * rounded to two decimals (about a kilometre), in the body of one request to this site,
 * which answers with the nearest ZIP code's search; nothing else receives it. Every
 * refusal or failure is said in words next to the button.
 */
(function () {
  "use strict";

  var WIDE = window.matchMedia ? window.matchMedia("(min-width: 50.01rem)") : null;
  var panel = document.getElementById("search-panel");
  if (panel && WIDE) {
    // Wide screens show the filters as a side panel; the CSS does it, this keeps `open` true.
    var keepOpen = function () { if (WIDE.matches) panel.open = true; };
    keepOpen();
    if (WIDE.addEventListener) WIDE.addEventListener("change", keepOpen);
  }

  var ERRORS = {
    1: "You did not allow this site to use your location, or your browser blocks it. " +
       "Type your ZIP code or city instead.",
    2: "Your device could not tell where you are just now. Type your ZIP code or city instead.",
    3: "Finding your position took too long. Try again, or type your ZIP code or city instead."
  };

  document.querySelectorAll("[data-locate]").forEach(function (block) {
    if (!navigator.geolocation || !window.fetch || !window.FormData) return;
    var button = block.querySelector("[data-locate-button]");
    var status = block.querySelector("[data-locate-status]");
    var form = block.closest("form");
    block.hidden = false;

    function say(message) { status.textContent = message; }
    function done(message) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      say(message);
    }

    button.addEventListener("click", function () {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      say("Asking your browser where you are…");
      navigator.geolocation.getCurrentPosition(function (position) {
        var body = new FormData();
        body.append("lat", position.coords.latitude.toFixed(2));
        body.append("lng", position.coords.longitude.toFixed(2));
        var radius = form && form.querySelector("select[name=radius]");
        if (radius) body.append("radius", radius.value);
        say("Finding the nearest ZIP code…");
        fetch(button.getAttribute("data-locate-url"), {
          method: "POST", body: body, credentials: "same-origin",
          headers: { "Accept": "application/json" }
        }).then(function (response) {
          return response.json().then(function (answer) { return [response.ok, answer]; });
        }).then(function (outcome) {
          if (outcome[0] && outcome[1].url) {
            say("Searching near " + outcome[1].label + "…");
            window.location.assign(outcome[1].url);
          } else {
            done(outcome[1].message || "We could not search from your position. Type your ZIP code instead.");
          }
        }).catch(function () {
          done("We could not reach the site to search from your position. Check your connection and try again.");
        });
      }, function (error) {
        done(ERRORS[error.code] || ERRORS[2]);
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
    });
  });
}());
