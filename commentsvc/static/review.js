/* commentsvc review UI: keyboard shortcuts and an inline bulk confirmation.
   Progressive enhancement only: every action is a plain form without this script. */
(function () {
  "use strict";

  var rows = [];
  var current = -1;
  var bulkForm = null;
  var pendingSubmitter = null;

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function say(text) {
    var announcer = document.getElementById("announcer");
    if (announcer) announcer.textContent = text;
  }

  function announce(text) {
    var region = document.getElementById("messages");
    if (!region) return;
    var notice = document.createElement("div");
    notice.className = "notice";
    var p = document.createElement("p");
    p.textContent = text;
    notice.appendChild(p);
    region.appendChild(notice);
    say(text);
  }

  function setCurrent(index) {
    if (!rows.length) return;
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (current >= 0 && rows[current]) rows[current].classList.remove("current");
    current = index;
    var row = rows[current];
    row.classList.add("current");
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function rowButton(key) {
    var row = rows[current];
    if (row) return row.querySelector('button[data-key="' + key + '"]');
    // The detail page has one comment and its buttons outside a table.
    return document.querySelector('.actions-bar button[data-key="' + key + '"]');
  }

  function toggleHelp() {
    var help = document.getElementById("keys-help");
    var toggle = document.querySelector("[data-keys-toggle]");
    if (!help) return;
    help.hidden = !help.hidden;
    if (toggle) toggle.setAttribute("aria-expanded", String(!help.hidden));
  }

  function selectedCount(scope) {
    if (scope === "page") return bulkForm.querySelectorAll('input[name="page_ids"]').length;
    return bulkForm.querySelectorAll('input[name="ids"]:checked').length;
  }

  function onBulkSubmit(event) {
    var submitter = event.submitter;
    if (!submitter || submitter.name !== "scope") return; // row actions go straight through
    if (bulkForm.querySelector('input[name="confirm"]')) return; // confirmed
    event.preventDefault();
    var count = selectedCount(submitter.value);
    var select = document.getElementById("bulk-action");
    var label = select.options[select.selectedIndex].text.toLowerCase();
    var box = document.getElementById("bulk-confirm");
    var text = document.getElementById("bulk-confirm-text");
    // The words come from the page, in its language (data-* on #bulk-confirm).
    var words = box.dataset;
    if (!select.value) {
      text.textContent = words.choose;
      document.getElementById("bulk-confirm-yes").hidden = true;
      count = 0;
    } else if (!count) {
      text.textContent = words.select;
      document.getElementById("bulk-confirm-yes").hidden = true;
    } else {
      var form = new Intl.PluralRules(document.documentElement.lang || "en").select(count) === "one" ? words.one : words.other;
      text.textContent = form.replace("%(action)s", label.charAt(0).toUpperCase() + label.slice(1))
        .replace("%(num)s", count.toLocaleString(document.documentElement.lang || "en"));
      document.getElementById("bulk-confirm-yes").hidden = false;
    }
    box.hidden = false;
    pendingSubmitter = submitter;
    document.getElementById(count ? "bulk-confirm-yes" : "bulk-confirm-no").focus();
  }

  function confirmBulk() {
    var flag = document.createElement("input");
    flag.type = "hidden";
    flag.name = "confirm";
    flag.value = "y";
    bulkForm.appendChild(flag);
    bulkForm.requestSubmit(pendingSubmitter);
  }

  function cancelBulk() {
    document.getElementById("bulk-confirm").hidden = true;
    if (pendingSubmitter) pendingSubmitter.focus();
    pendingSubmitter = null;
  }

  function toggleSelect(row) {
    var box = row && row.querySelector('input[name="ids"]');
    if (!box) return;
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key;
    var button;
    if (key === "j" && current === rows.length - 1 && document.querySelector('a[rel="next"]')) {
      window.location.href = document.querySelector('a[rel="next"]').href;
    } else if (key === "j") setCurrent(current + 1);
    else if (key === "k") setCurrent(current - 1);
    else if (key === "a" || key === "r" || key === "s") {
      button = rowButton(key);
      if (!button) return;
      button.click();
    } else if (key === "u") {
      var undo = document.getElementById("undo-form");
      if (!undo) { announce("There is nothing to undo."); return; }
      undo.requestSubmit();
    } else if (key === "e") {
      var edit = rows[current] ? rows[current].querySelector("a.action-edit") : null;
      var field = document.getElementById("edit-body");
      if (edit) window.location.href = edit.href;
      else if (field) field.focus();
      else return;
    } else if (key === "x") toggleSelect(rows[current]);
    else if (key === "?") toggleHelp();
    else return;
    event.preventDefault();
  }

  function init() {
    rows = Array.prototype.slice.call(document.querySelectorAll("tr.comment-row"));
    bulkForm = document.getElementById("bulk-form");
    var toggle = document.querySelector("[data-keys-toggle]");
    if (toggle) { toggle.hidden = false; toggle.addEventListener("click", toggleHelp); }

    var all = document.getElementById("select-all");
    if (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        rows.forEach(function (row) {
          var box = row.querySelector('input[name="ids"]');
          if (box) { box.checked = all.checked; row.classList.toggle("selected", all.checked); }
        });
      });
    }
    rows.forEach(function (row, index) {
      row.addEventListener("click", function () { if (current !== index) setCurrent(index); });
      var box = row.querySelector('input[name="ids"]');
      if (box) box.addEventListener("change", function () { row.classList.toggle("selected", box.checked); });
    });
    if (bulkForm) {
      bulkForm.addEventListener("submit", onBulkSubmit);
      var yes = document.getElementById("bulk-confirm-yes");
      var no = document.getElementById("bulk-confirm-no");
      if (yes) yes.addEventListener("click", confirmBulk);
      if (no) no.addEventListener("click", cancelBulk);
    }
    document.addEventListener("keydown", onKey);

    // Screen readers only announce changes to a live region after the page has loaded,
    // so repeat the server's messages (which stay in place, Undo form and all) in one.
    var region = document.getElementById("messages");
    if (region && region.textContent.trim()) {
      var said = Array.prototype.map.call(region.querySelectorAll("p"), function (p) { return p.textContent; });
      window.setTimeout(function () { say(said.join(" ")); }, 150);
    }
    // After the browser's own scroll to the #edit or #reply section, focus its text field.
    var field = document.getElementById({ "#edit": "edit-body", "#reply": "reply-body" }[window.location.hash]);
    if (field) window.addEventListener("load", function () { window.setTimeout(function () { field.focus(); }, 0); });

    if (rows.length) {
      var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
      var index = target ? rows.indexOf(target) : 0;
      setCurrent(index < 0 ? 0 : index);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
