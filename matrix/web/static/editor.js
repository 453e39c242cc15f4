// The form editor, progressive enhancement only: every button works without this file.
// - each change of a field is checked at once: the form is posted to /sua/<token>/kiem-tra (debounced) and the
//   messages beside each field (elements marked data-slot, data-mark) are taken from the page it returns; the
//   fields themselves are never replaced, so nothing typed is lost;
// - "Tách" splits a task where the cursor is: the cursor's place is kept in a hidden field;
// - Enter in an agency search box searches (instead of the form's first button);
// - "Xóa" asks first.
(function () {
  var form = document.getElementById("editor");
  if (!form) return;
  function press(value) {
    var button = form.querySelector('button[name="do"][value="' + value + '"]');
    if (button && form.requestSubmit) { form.requestSubmit(button); } else if (button) { button.click(); }
  }
  var url = form.getAttribute("data-check"), timer = null, sent = 0, shown = 0;
  function same(fresh, attribute) {
    var value = fresh.getAttribute(attribute);
    var found = document.querySelectorAll("[" + attribute + "]");
    for (var i = 0; i < found.length; i++) { if (found[i].getAttribute(attribute) === value) return found[i]; }
    return null;
  }
  function show(html, mine) {
    if (mine < shown) return;  // an answer to an older check came late
    shown = mine;
    var page = new DOMParser().parseFromString(html, "text/html");
    page.querySelectorAll("[data-slot]").forEach(function (fresh) {
      var here = same(fresh, "data-slot");
      if (here && here.innerHTML !== fresh.innerHTML) { here.innerHTML = fresh.innerHTML; }
    });
    page.querySelectorAll("[data-mark]").forEach(function (fresh) {
      var here = same(fresh, "data-mark");
      if (here) { here.className = fresh.className; }
    });
    document.body.setAttribute("data-checked", String(mine));
  }
  function checkNow() {
    timer = null;
    var mine = ++sent;
    var body = new FormData(form);
    fetch(url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html) { show(html, mine); } })
      .catch(function () { /* the buttons still check */ });
  }
  function later(delay) {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(checkNow, delay);
  }
  function isField(target) {
    return target && target.name && target.name !== "csrf" && /^(m|t):/.test(target.name) &&
      !/:(tim|cursor)$/.test(target.name);
  }
  if (url && window.fetch && window.DOMParser) {
    form.addEventListener("input", function (e) { if (isField(e.target)) { later(800); } });
    form.addEventListener("change", function (e) { if (isField(e.target)) { later(150); } });
    form.addEventListener("focusout", function (e) { if (isField(e.target) && timer) { later(0); } });
  }
  form.querySelectorAll("textarea[data-cursor]").forEach(function (box) {
    var hidden = form.querySelector('input[name="' + box.getAttribute("data-cursor") + '"]');
    function keep() { if (hidden) { hidden.value = String(box.selectionStart); } }
    ["keyup", "click", "select", "input", "focus"].forEach(function (e) { box.addEventListener(e, keep); });
  });
  form.querySelectorAll("input[data-search]").forEach(function (box) {
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); press(box.getAttribute("data-search")); }
    });
  });
  form.querySelectorAll("button[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (e) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
})();
