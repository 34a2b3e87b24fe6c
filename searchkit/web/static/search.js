// Progressive enhancement. Without JavaScript the form is a plain GET and an article link scrolls to
// the paragraph where the passage starts (CSS :target marks it).
(function () {
  "use strict";
  // Article page: mark every paragraph of the passage named in the URL's #p<index>, not just the first.
  function markPassage() {
    var m = /^#p(\d+)$/.exec(location.hash);
    if (!m) { return; }  // no passage in the URL: keep what the server marked
    document.querySelectorAll(".body p.current").forEach(function (p) { p.classList.remove("current"); });
    document.querySelectorAll('.body p[data-passages~="' + m[1] + '"]').forEach(function (p) {
      p.classList.add("current");
    });
  }
  if (document.querySelector(".body p[data-passages]")) {
    markPassage();
    window.addEventListener("hashchange", markPassage);
  }

  // Search page: search as you type. The results are fetched as the same server-rendered page and
  // swapped in, so there is one renderer.
  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var results = document.getElementById("results");
  if (!form || !input || !results || !window.fetch || !window.DOMParser) { return; }
  var timer = null, seq = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  });
  function update() {
    var q = input.value;
    if (!q.trim()) { return; }
    var params = new URLSearchParams(new FormData(form));
    var url = form.getAttribute("action") + "?" + params.toString();
    var mine = ++seq;
    fetch(url, { headers: { "Accept": "text/html" } }).then(function (r) {
      return r.ok ? r.text() : null;  // a half-typed query ("peace) explains itself on submit, not mid-word
    }).then(function (html) {
      if (html === null || mine !== seq) { return; }  // a newer keystroke won
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById("results");
      if (!fresh) { return; }
      // the children, not the element: #results is the aria-live region, and a replaced region is not announced
      results.replaceChildren.apply(results, Array.prototype.slice.call(fresh.childNodes));
      document.title = doc.title;
      history.replaceState(null, "", url);
    }).catch(function () { /* keep the current results; submitting the form still works */ });
  }
})();
