// Progressive enhancement only: every page works without this file.
// On "Tạo kết quả", follow the build's progress without reloading the page.
(function () {
  var box = document.getElementById("build-state");
  if (!box || box.getAttribute("data-running") !== "yes") return;
  var bar = document.getElementById("build-progress");
  var count = document.getElementById("build-count");
  function poll() {
    fetch("/tao-ket-qua/trang-thai", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (!s.running) { window.location.reload(); return; }
        if (bar) { bar.max = s.total || 1; bar.value = s.done; }
        if (count) { count.textContent = s.done + "/" + (s.total || "?"); }
        setTimeout(poll, 700);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 700);
})();
