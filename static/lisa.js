// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so that screen-reader users hear what to fix.
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();

  // Switching municipality submits at once when scripts run.
  const switcher = document.getElementById("municipality-switch");
  if (switcher) switcher.addEventListener("change", () => switcher.form.submit());

  // The header's menus are <details>: close them on Escape and on a click elsewhere.
  const menus = Array.from(document.querySelectorAll("details.account-menu, details.mobile-menu"));
  document.addEventListener("click", (event) => {
    for (const menu of menus) {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    for (const menu of menus) {
      if (menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    }
  });

  // A table wider than its box says so, and its box can be scrolled from the keyboard.
  const boxes = Array.from(document.querySelectorAll(".table-scroll"));
  const mark = () => {
    for (const box of boxes) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("scrolls", scrolls);
      if (scrolls) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        const caption = box.querySelector("caption");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Tabell som kan rullas i sidled");
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  };
  mark();
  window.addEventListener("resize", mark);
});
