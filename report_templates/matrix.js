/* The matrix tools of report.html: search, filters by OU, box and status, failing only, sort by passed
   boxes, and the count of accounts shown per OU. Inlined into the report as it is here; its SHA-256 is
   pinned in the page's Content-Security-Policy, so any other script is refused. It reads the table the
   report already shows and only hides, shows and reorders rows, and writes counts as text: the page is
   whole without it, and no organization-controlled text is ever parsed as markup. ASCII only. */
(function () {
  "use strict";
  var tools = document.getElementById("matrix-tools");
  var table = document.getElementById("matrix-table");
  if (!tools || !table || !table.tHead) {
    return;
  }
  var search = document.getElementById("matrix-search");
  var ouChoice = document.getElementById("matrix-ou");
  var boxChoice = document.getElementById("matrix-box");
  var statusChoice = document.getElementById("matrix-status");
  var failingOnly = document.getElementById("matrix-failing");
  var sortChoice = document.getElementById("matrix-sort");
  var shownText = document.getElementById("matrix-shown");
  var STATUSES = ["pass", "fail", "na", "error"];
  var OU_PREFIX = "ou:";

  var boxColumns = [];
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell, index) {
    var box = cell.getAttribute("data-box");
    if (box) {
      boxColumns.push({ box: box, index: index });
    }
  });

  function statusOf(cell) {
    for (var i = 0; i < STATUSES.length; i += 1) {
      if (cell && cell.classList.contains(STATUSES[i])) {
        return STATUSES[i];
      }
    }
    return "";
  }

  function number(row, name) {
    var value = parseInt(row.getAttribute(name) || "0", 10);
    return isNaN(value) ? 0 : value;
  }

  var groups = Array.prototype.map.call(table.tBodies, function (body) {
    var ou = body.getAttribute("data-ou") || "";
    var header = body.rows[0];
    var entries = Array.prototype.slice.call(body.rows, 1).map(function (row, order) {
      var nameCell = row.cells[1];
      var name = nameCell ? nameCell.getAttribute("title") || nameCell.textContent : "";
      var statuses = {};
      var scored = row.hasAttribute("data-applicable");
      boxColumns.forEach(function (column) {
        statuses[column.box] = scored ? statusOf(row.cells[column.index]) : "";
      });
      return {
        row: row,
        order: order,
        text: [row.cells[0].textContent, name, ou].join("\n").toLowerCase(),
        statuses: statuses,
        passed: number(row, "data-passed"),
        applicable: number(row, "data-applicable")
      };
    });
    return { body: body, ou: ou, entries: entries, counter: header.querySelector(".shown") };
  });

  function inOu(ou, wanted) {
    return ou === wanted || (wanted !== "" && ou.indexOf(wanted + "/") === 0);
  }

  function hasStatus(entry, box, status) {
    if (!status) {
      return true;
    }
    if (box) {
      return entry.statuses[box] === status;
    }
    return boxColumns.some(function (column) {
      return entry.statuses[column.box] === status;
    });
  }

  function apply() {
    var terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var ou = ouChoice.value;
    var box = boxChoice.value;
    var status = statusChoice.value;
    var failing = failingOnly.checked;
    var filtered = terms.length > 0 || ou !== "" || status !== "" || failing;
    var shown = 0;
    var total = 0;
    groups.forEach(function (group) {
      var ouMatches = ou === "" || inOu(group.ou, ou.slice(OU_PREFIX.length));
      var shownHere = 0;
      group.entries.forEach(function (entry) {
        var show = ouMatches &&
          terms.every(function (term) { return entry.text.indexOf(term) !== -1; }) &&
          hasStatus(entry, box, status) &&
          (!failing || hasStatus(entry, "", "fail"));
        entry.row.hidden = !show;
        if (show) {
          shownHere += 1;
        }
      });
      group.body.hidden = shownHere === 0;
      if (group.counter) {
        group.counter.textContent = filtered ? " \u00b7 " + shownHere + " of " + group.entries.length + " shown" : "";
      }
      shown += shownHere;
      total += group.entries.length;
    });
    shownText.textContent = shown + " of " + total + " accounts shown";
  }

  function byPassed(most) {
    return function (a, b) {
      if (!a.applicable || !b.applicable) {
        return (a.applicable ? 0 : 1) - (b.applicable ? 0 : 1) || a.order - b.order;
      }
      var difference = a.passed * b.applicable - b.passed * a.applicable;
      if (most) {
        difference = -difference;
      }
      return difference || (most ? 0 : (b.applicable - b.passed) - (a.applicable - a.passed)) || a.order - b.order;
    };
  }

  function sort() {
    var order = sortChoice.value;
    var compare = order ? byPassed(order === "most") : function (a, b) { return a.order - b.order; };
    groups.forEach(function (group) {
      group.entries.slice().sort(compare).forEach(function (entry) {
        group.body.appendChild(entry.row);
      });
    });
  }

  search.addEventListener("input", apply);
  [ouChoice, boxChoice, statusChoice, failingOnly].forEach(function (control) {
    control.addEventListener("change", apply);
  });
  sortChoice.addEventListener("change", sort);
  sort();
  apply();
  tools.hidden = false;
}());
