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

  // On a phone a list's filters fold away under "Filtrera", which says how many are in use;
  // wider, the fold stays open and its summary is hidden (lisa.css).
  const phone = window.matchMedia("(max-width: 37.5rem)");
  const folds = Array.from(document.querySelectorAll("details.filter-fold"));
  for (const fold of folds) {
    const active = Array.from(fold.querySelector("form").elements).filter((field) => {
      if (!field.name || field.type === "hidden" || field.type === "submit") return false;
      if (field.type === "checkbox" || field.type === "radio") return field.checked;
      return field.value.trim() !== "";
    }).length;
    if (active) fold.querySelector(".filter-count").textContent = ` (${active} ${active === 1 ? "aktivt" : "aktiva"})`;
  }
  const fold = () => {
    for (const details of folds) details.open = !phone.matches;
  };
  fold();
  phone.addEventListener("change", fold);

  // On a phone a table's rows become cards (lisa.css): each cell carries its column's heading.
  for (const table of document.querySelectorAll(".table-scroll table")) {
    const rows = table.tHead ? table.tHead.rows : [];
    if (rows.length !== 1 || Array.from(rows[0].cells).some((cell) => cell.colSpan > 1)) continue;
    const headings = Array.from(rows[0].cells).map((cell) => cell.textContent.trim());
    for (const body of table.tBodies) {
      for (const row of body.rows) {
        if (row.cells.length !== headings.length) continue;
        Array.from(row.cells).forEach((cell, i) => {
          if (i === 0 || !headings[i] || cell.hasAttribute("data-label")) return;
          cell.setAttribute("data-label", headings[i]);
          // One box for the value, so that it stays in its column beside the heading.
          const value = document.createElement("span");
          value.append(...cell.childNodes);
          cell.append(value);
        });
      }
    }
    table.parentElement.classList.add("cards");
  }

  // A long pick list (people, systems) gets a search field that narrows its choices.
  for (const select of document.querySelectorAll("main form select:not([multiple])")) {
    if (select.options.length <= 25) continue;
    const label = select.labels.length ? select.labels[0].textContent.trim() : "listan";
    const search = document.createElement("input");
    search.type = "search";
    search.className = "pick-search";
    search.placeholder = "Sök…";
    search.setAttribute("aria-label", `Sök i ${label}`);
    search.addEventListener("input", () => {
      const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      let first = null;
      for (const option of select.options) {
        const shown = !option.value || words.every((w) => option.text.toLowerCase().includes(w));
        option.hidden = !shown;
        if (shown && option.value && !first) first = option;
      }
      // The first match is chosen, so a search and Enter pick the person.
      if (first && words.length && select.selectedOptions[0]?.hidden !== false) select.value = first.value;
    });
    select.before(search);
  }

  // A print button on printable pages (the browser's own print works as well).
  for (const button of document.querySelectorAll("button[data-print]")) {
    button.addEventListener("click", () => window.print());
  }

  // Copies a text box's text (a report ready to send to an authority).
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.addEventListener("click", async () => {
      const area = document.getElementById(button.dataset.copy);
      if (!area) return;
      area.select();
      try {
        await navigator.clipboard.writeText(area.value);
        button.textContent = "Kopierad";
      } catch {
        document.execCommand("copy");
      }
    });
  }

  // A pasted sheet may also come from a file: the file's text fills the box (nothing is sent
  // until the form is). A file in Excel's Windows encoding is read as such when not UTF-8.
  for (const area of document.querySelectorAll("textarea[data-file-target]")) {
    const field = document.createElement("div");
    field.className = "field";
    const label = document.createElement("label");
    label.htmlFor = area.id + "-file";
    label.textContent = "Eller välj en fil (CSV eller text)";
    const input = document.createElement("input");
    input.type = "file";
    input.id = area.id + "-file";
    input.accept = ".csv,.txt,.tsv,text/csv,text/plain";
    input.addEventListener("change", async () => {
      const file = input.files[0];
      if (!file) return;
      const bytes = new Uint8Array(await file.arrayBuffer());
      let text;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch (_) {
        text = new TextDecoder("windows-1252").decode(bytes);
      }
      area.value = text;
    });
    field.append(label, input);
    area.closest(".field").after(field);
  }

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
