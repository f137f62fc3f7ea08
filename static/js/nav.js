// The phone menu: below the stylesheet's breakpoint the main navigation and
// sign-out fold behind one button. Without this script they wrap on the bar.
(function () {
  "use strict";
  var header = document.querySelector("header.topbar");
  var toggle = header && header.querySelector(".menu-toggle");
  if (!toggle) { return; }
  toggle.hidden = false;
  header.classList.add("has-menu");
  toggle.addEventListener("click", function () {
    var open = header.classList.toggle("menu-open");
    toggle.setAttribute("aria-expanded", String(open));
  });
})();
