// Progressive enhancement for the dashboard: every page also works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Destructive forms ask first; without JS they submit directly (the server still checks).
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // The organization switcher submits on change (a button is shown under <noscript>).
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  // Select all rows of a table, and show how many are selected.
  document.querySelectorAll("input[data-select-all]").forEach((all) => {
    const form = all.closest("form");
    const name = all.dataset.selectAll || "listing_ids";
    const boxes = () => form.querySelectorAll(`input[type=checkbox][name="${name}"]`);
    const count = form.querySelector("[data-selected-count]");
    const update = () => {
      const n = [...boxes()].filter((b) => b.checked).length;
      if (count) count.textContent = n + " selected";
    };
    all.addEventListener("change", () => { boxes().forEach((b) => { b.checked = all.checked; }); update(); });
    form.addEventListener("change", update);
  });
  // Live progress: poll each unfinished job's JSON twin until it ends.
  document.querySelectorAll("[data-progress-url]").forEach((row) => {
    const poll = async () => {
      const response = await fetch(row.dataset.progressUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const job = await response.json();
      const percent = job.percent === null ? 0 : job.percent;
      row.querySelector("progress").value = percent;
      row.querySelector("[data-percent]").textContent = percent + "%";
      row.querySelector("[data-status]").textContent = job.status;
      const errors = row.querySelector("[data-errors]");
      if (errors) errors.textContent = job.errors;
      if (!job.terminal) window.setTimeout(poll, 1000);
    };
    poll();
  });
});
