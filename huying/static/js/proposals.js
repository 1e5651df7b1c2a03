// Huying 呼应 — the proposal editor's co-signer picker. A static file: the content security
// policy forbids inline scripts. Without JavaScript the search results are plain
// checkboxes of the form; with it, a ticked member becomes a removable chip.
(function () {
  "use strict";

  function chipFor(option, chips) {
    var item = document.createElement("li");
    item.className = "chip chip-new";
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "invite";
    input.value = option.value;
    item.appendChild(input);
    item.appendChild(document.createTextNode(option.getAttribute("data-label") + " "));
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "chip-remove";
    remove.setAttribute("data-chip-remove", "");
    remove.setAttribute("aria-label", (chips.getAttribute("data-remove-label") || "") + " " + option.getAttribute("data-label"));
    remove.textContent = "×";
    item.appendChild(remove);
    return item;
  }

  document.addEventListener("keydown", function (event) {
    // Enter in the name search looks members up; it must not save the draft.
    if (event.key === "Enter" && event.target.matches && event.target.matches("[data-member-search]")) {
      event.preventDefault();
    }
  });

  document.addEventListener("change", function (event) {
    var option = event.target;
    if (!option.matches || !option.matches("[data-member-option]") || !option.checked) return;
    var chips = document.getElementById("cosigner-chips");
    if (!chips) return;
    var present = chips.querySelector('input[name="invite"][value="' + option.value + '"]');
    if (!present) chips.appendChild(chipFor(option, chips));
    var row = option.closest("li");
    if (row) row.remove();
    var search = document.querySelector("[data-member-search]");
    if (search) search.focus();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-chip-remove]") : null;
    if (!button) return;
    var chip = button.closest("li");
    if (chip) chip.remove();
    var search = document.querySelector("[data-member-search]");
    if (search) search.focus();
  });
})();
