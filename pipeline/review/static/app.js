// briefcast review: small progressive enhancements. Every action also works without this script.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Ask before destructive actions (forms marked data-confirm).
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }

  // Chapter buttons seek the whole-episode player.
  const player = document.getElementById("episode-audio");
  for (const button of document.querySelectorAll("[data-seek]")) {
    button.addEventListener("click", () => {
      if (!player) return;
      player.currentTime = parseFloat(button.dataset.seek) || 0;
      player.play().catch(() => {});
    });
  }

  // Long actions run on the server; poll their job until it ends, then reload to show the result.
  for (const banner of document.querySelectorAll(".job[data-status='running']")) {
    const id = banner.dataset.jobId;
    const elapsed = banner.querySelector(".job-elapsed");
    const poll = async () => {
      try {
        const answer = await fetch(`/jobs/${encodeURIComponent(id)}`, { headers: { Accept: "application/json" } });
        if (answer.ok) {
          const job = await answer.json();
          if (elapsed) elapsed.textContent = job.elapsed.toFixed(1);
          if (job.status !== "running") {
            const url = new URL(window.location.href);
            url.searchParams.set("job", id);
            url.searchParams.delete("notice");
            window.location.replace(url.toString());
            return;
          }
        }
      } catch (error) {
        // The server may be busy; keep polling.
      }
      window.setTimeout(poll, 700);
    };
    window.setTimeout(poll, 400);
  }

  // Keep the page where the editor was after a save (the server redirects to #seg-<id>).
  const hash = window.location.hash;
  if (hash.startsWith("#seg-")) {
    const target = document.getElementById(hash.slice(1));
    if (target) target.classList.add("highlight");
  }
});
