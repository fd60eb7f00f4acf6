// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so that screen-reader users hear what to fix.
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
  // Switching municipality submits at once when scripts run.
  const switcher = document.getElementById("municipality-switch");
  if (switcher) switcher.addEventListener("change", () => switcher.form.submit());
});
