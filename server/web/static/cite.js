// The footer's "Copy the citation" button: shown only where the script runs (without it,
// a click on the citation selects all of it, for the usual copy).
"use strict";
document.querySelectorAll("button.copy[data-copy]").forEach((button) => {
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    navigator.clipboard.writeText(source.textContent.trim()).then(
      () => { button.textContent = "Copied"; },
      () => { button.textContent = "Select the citation and copy it"; });
  });
});
