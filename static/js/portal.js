/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  // Tell the server this browser runs JavaScript: pages can then load slow parts (the queue's tab
  // counts) after the rest instead of waiting for them. Not personal data; no expiry worth a banner.
  if (document.cookie.indexOf("js=1") === -1) {
    document.cookie = "js=1; path=/; max-age=31536000; SameSite=Lax";
  }
  // Validation errors (422) and edit conflicts (409) carry a re-rendered form: swap them in.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if (status === 422 || status === 409) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });
  // Buttons with data-confirm ask before submitting.
  document.addEventListener("submit", function (evt) {
    var btn = evt.submitter;
    if (btn && btn.dataset.confirm && !window.confirm(btn.dataset.confirm)) {
      evt.preventDefault();
    }
  }, true);
  // A plain form post (no htmx) shows it is busy and cannot be sent twice by a double tap; the
  // button is disabled after the submit so its own name/value still goes with the form.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (evt.defaultPrevented || form.hasAttribute("hx-post") || (form.method || "").toLowerCase() !== "post") {
      return;
    }
    if (form.classList.contains("is-submitting")) {
      evt.preventDefault();
      return;
    }
    form.classList.add("is-submitting");
    var btn = evt.submitter;
    if (btn) {
      window.setTimeout(function () { btn.disabled = true; }, 0);
    }
  });
  // Back to a page kept in the back/forward cache: its forms can be sent again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form.is-submitting").forEach(function (form) {
      form.classList.remove("is-submitting");
      form.querySelectorAll("[type='submit'][disabled]").forEach(function (b) { b.disabled = false; });
    });
  });
  // "Select all" checkbox for bulk actions.
  document.addEventListener("change", function (evt) {
    var t = evt.target;
    if (t.matches && t.matches("input[data-select-all]")) {
      document.querySelectorAll("input[name='" + t.dataset.selectAll + "']").forEach(function (cb) {
        cb.checked = t.checked;
      });
    }
  });
})();
