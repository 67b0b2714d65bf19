// cardbot admin: the card form shows only the fields of the chosen card type. Without JavaScript
// every field shows, and the server keeps only those of the type.
document.addEventListener("DOMContentLoaded", function () {
  var type = document.getElementById("card-type");
  if (!type) return;
  function show() {
    document.querySelectorAll("fieldset[data-types]").forEach(function (f) {
      f.hidden = f.dataset.types.split(" ").indexOf(type.value) < 0;
    });
  }
  type.addEventListener("change", show);
  show();
});
