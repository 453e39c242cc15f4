// The form editor, progressive enhancement only: every button works without this file.
// - "Tách" splits a task where the cursor is: the cursor's place is kept in a hidden field;
// - Enter in an agency search box searches (instead of the form's first button);
// - changing a role checks the directive at once;
// - "Xóa" asks first.
(function () {
  var form = document.getElementById("editor");
  if (!form) return;
  function press(value) {
    var button = form.querySelector('button[name="do"][value="' + value + '"]');
    if (button && form.requestSubmit) { form.requestSubmit(button); } else if (button) { button.click(); }
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
  form.querySelectorAll("select.role").forEach(function (select) {
    select.addEventListener("change", function () { press("check"); });
  });
  form.querySelectorAll("button[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (e) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
})();
