// The layout's few behaviours; every page works without them (links wrap, tables scroll).
// - On a narrow screen the main links fold away behind the menu button (ledger.css shows the
//   button only then): it says whether the menu is open (aria-expanded), Escape closes it.
// - A table wider than its card scrolls inside it; when it does, the wrapper becomes keyboard
//   focusable (arrow keys scroll it) and a line above it says that there is more to the side.
// - A button with data-confirm asks before its form is sent.
document.documentElement.classList.add("js");

(function () {
  function setUpMenu() {
    var button = document.querySelector(".menu-toggle");
    var header = document.querySelector(".topbar");
    if (!button || !header) return;
    function show(open) {
      header.classList.toggle("menu-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    header.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && header.classList.contains("menu-open")) {
        show(false);
        button.focus();
      }
    });
  }

  function wrapBareTables() {
    var tables = document.querySelectorAll("main table");
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      var parent = table.parentElement;
      if (parent.classList.contains("table-scroll") || parent.classList.contains("scroll")) continue;
      var wrapper = document.createElement("div");
      wrapper.className = "table-scroll";
      parent.insertBefore(wrapper, table);
      wrapper.appendChild(table);
    }
  }

  function markOverflow() {
    var text = document.documentElement.getAttribute("data-scroll-hint") || "";
    var wrappers = document.querySelectorAll("main .table-scroll, main .scroll");
    for (var i = 0; i < wrappers.length; i++) {
      var wrapper = wrappers[i];
      var wide = wrapper.scrollWidth > wrapper.clientWidth + 1;
      wrapper.classList.toggle("overflowing", wide);
      var hint = wrapper.previousElementSibling;
      if (!hint || !hint.classList.contains("scroll-hint")) {
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.textContent = text;
        wrapper.parentElement.insertBefore(hint, wrapper);
      }
      hint.hidden = !wide;
      if (wide) {
        wrapper.setAttribute("tabindex", "0");
        var caption = wrapper.querySelector("caption");
        wrapper.setAttribute("role", "region");
        wrapper.setAttribute("aria-label", caption ? caption.textContent : text);
      } else {
        wrapper.removeAttribute("tabindex");
        wrapper.removeAttribute("role");
        wrapper.removeAttribute("aria-label");
      }
    }
  }

  function setUpConfirm() {
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
      if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenu();
    wrapBareTables();
    markOverflow();
    setUpConfirm();
    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(markOverflow, 100);
    });
  });
})();
