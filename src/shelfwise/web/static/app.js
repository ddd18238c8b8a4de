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
      const percent = job.percent === null ? 0 : Math.floor(job.percent);
      row.querySelector("progress").value = percent;
      row.querySelector("[data-percent]").textContent = percent + "%";
      row.querySelector("[data-status]").textContent = job.status;
      const errors = row.querySelector("[data-errors]");
      if (errors) errors.textContent = job.errors;
      if (!job.terminal) {
        window.setTimeout(poll, 1000);
        return;
      }
      // Over: a cancel button would only answer 409 now.
      row.querySelectorAll("[data-while-running]").forEach((el) => { el.hidden = true; });
    };
    poll();
  });
  // Column mapping: the server suggests one from the file's headers; each column can change.
  document.querySelectorAll("form[data-mapping-editor]").forEach((form) => {
    const targets = JSON.parse(form.dataset.targets);
    const hidden = form.querySelector("input[name=mapping]");
    const box = form.querySelector("[data-mapping]");
    const body = box.querySelector("tbody");
    const write = () => {
      const mapping = {};
      body.querySelectorAll("select").forEach((s) => { if (s.value) mapping[s.dataset.column] = s.value; });
      hidden.value = JSON.stringify(mapping);
    };
    form.querySelector("input[type=file]").addEventListener("change", async (event) => {
      hidden.value = "";
      body.textContent = "";
      box.hidden = true;
      const file = event.target.files[0];
      if (!file) return;
      const data = new FormData();
      data.append("csrf", form.querySelector("input[name=csrf]").value);
      data.append("file", file);
      const response = await fetch("/dashboard/imports/preview", { method: "POST", body: data });
      if (!response.ok) return;  // the upload itself reports what is wrong with the file
      const preview = await response.json();
      preview.headers.forEach((header) => {
        const row = body.insertRow();
        row.insertCell().textContent = header;
        const select = document.createElement("select");
        select.dataset.column = header;
        select.setAttribute("aria-label", "Field for " + header);
        select.add(new Option("— skip —", ""));
        targets.forEach((t) => select.add(new Option(t, t, false, preview.mapping[header] === t)));
        select.addEventListener("change", write);
        row.insertCell().append(select);
        const first = preview.rows.length ? preview.rows[0][header] : "";
        row.insertCell().textContent = first === undefined || first === null ? "" : String(first);
      });
      box.hidden = false;
      write();
    });
  });
});
