/* The matrix tools of report.html: search, filters by OU, box, CIS check and status, failing or error only,
   the CIS checks as extra columns, a sort by passed boxes across the whole organization, and the count of
   accounts shown. Inlined into the report as it is here; its SHA-256 is pinned in the page's
   Content-Security-Policy, so any other script is refused. It reads the table the report already shows (a
   row's CIS statuses are one letter per check in its data-cis attribute, in the order the table's data-cis
   names the checks), hides, shows and moves rows, and adds cells whose text it writes as text: the page is
   whole without it, and no organization-controlled text is ever parsed as markup. Every row's facts are
   read once; a filter only touches the rows whose visibility changes. ASCII only. */
(function () {
  "use strict";
  var tools = document.getElementById("matrix-tools");
  var table = document.getElementById("matrix-table");
  if (!tools || !table || !table.tHead || !table.tBodies.length) {
    return;
  }
  var search = document.getElementById("matrix-search");
  var ouChoice = document.getElementById("matrix-ou");
  var boxChoice = document.getElementById("matrix-box");
  var cisChoice = document.getElementById("matrix-cis");
  var statusChoice = document.getElementById("matrix-status");
  var failingOnly = document.getElementById("matrix-failing");
  var cisColumns = document.getElementById("matrix-cis-columns");
  var sortChoice = document.getElementById("matrix-sort");
  var shownText = document.getElementById("matrix-shown");
  var STATUSES = ["pass", "fail", "na", "error"];
  var OU_PREFIX = "ou:";
  /* The letters of data-cis (scanner/render/structure.py, CIS_LETTERS): A is a FAIL accepted as a risk. */
  var LETTERS = { P: "pass", F: "fail", A: "fail", N: "na", E: "error" };
  var CELLS = {
    P: ["pass", "\u2713"], F: ["fail", "\u2717"], A: ["fail acc", "\u2717\u2691"],
    N: ["na", "\u2013"], E: ["error", "\u26a0"]
  };

  var headRow = table.tHead.rows[0];
  var baseColumns = headRow.cells.length;
  var colgroup = table.getElementsByTagName("colgroup")[0];
  var cisIds = (table.getAttribute("data-cis") || "").split(" ").filter(Boolean);
  var boxColumns = [];
  Array.prototype.forEach.call(headRow.cells, function (cell, index) {
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

  var entries = [];
  var groups = Array.prototype.map.call(table.tBodies, function (body) {
    var header = body.rows[0];
    var group = {
      body: body,
      ou: body.getAttribute("data-ou") || "",
      label: header.cells[0].getAttribute("title") || "",
      heading: header.cells[0],
      counter: header.querySelector(".shown"),
      entries: [],
      count: ""
    };
    Array.prototype.slice.call(body.rows, 1).forEach(function (row) {
      var nameCell = row.cells[1];
      var name = nameCell ? nameCell.getAttribute("title") || nameCell.textContent : "";
      var scored = row.hasAttribute("data-applicable");
      var statuses = {};
      var failing = false;
      boxColumns.forEach(function (column) {
        var status = scored ? statusOf(row.cells[column.index]) : "";
        statuses[column.box] = status;
        failing = failing || status === "fail" || status === "error";
      });
      var entry = {
        row: row,
        group: group,
        order: entries.length,
        text: [row.cells[0].textContent, name, group.ou].join("\n").toLowerCase(),
        statuses: statuses,
        failing: failing,
        cis: row.getAttribute("data-cis") || "",
        passed: number(row, "data-passed"),
        applicable: number(row, "data-applicable"),
        shown: true
      };
      entries.push(entry);
      group.entries.push(entry);
    });
    return group;
  });

  /* The flat list a sort shows: one body of its own after the OU groups, with a heading row like theirs. */
  var flatBody = document.createElement("tbody");
  flatBody.className = "flat";
  flatBody.hidden = true;
  var flatHeading = document.createElement("th");
  flatBody.appendChild(document.createElement("tr")).appendChild(flatHeading);
  flatBody.rows[0].className = "ou";
  table.appendChild(flatBody);

  var ouColumn = null;
  var cisColumnsBuilt = null;

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) {
      made.className = className;
    }
    if (text) {
      made.textContent = text;
    }
    return made;
  }

  /* The OU column of the flat list: one cell per row, made the first time it is needed, shown by .flat. */
  function buildOuColumn() {
    entries.forEach(function (entry) {
      entry.row.insertBefore(element("td", "ouc", entry.group.label), entry.row.cells[2] || null);
    });
    ouColumn = { col: element("col", "c-ouc"), head: element("th", "ouc", "OU") };
  }

  /* The CIS columns: a cell per check from each row's letters, made the first time they are shown. */
  function buildCisColumns() {
    var samples = {};
    Object.keys(CELLS).forEach(function (letter) {
      samples[letter] = element("td", "cx " + CELLS[letter][0], CELLS[letter][1]);
    });
    entries.forEach(function (entry) {
      if (!entry.cis) {
        return;
      }
      var cells = document.createDocumentFragment();
      for (var i = 0; i < entry.cis.length; i += 1) {
        var sample = samples[entry.cis.charAt(i)] || samples.E;
        cells.appendChild(sample.cloneNode(true));
      }
      entry.row.appendChild(cells);
    });
    var made = { cols: [], heads: [] };
    var options = {};
    Array.prototype.forEach.call(cisChoice.options, function (option) {
      options[option.value] = option;
    });
    cisIds.forEach(function (id) {
      var option = options[id];
      var head = element("th", "cx", option ? option.getAttribute("data-heading") : id);
      head.setAttribute("data-cis", id);
      if (option) {
        head.title = option.textContent;
      }
      made.cols.push(element("col", "c-cx"));
      made.heads.push(head);
    });
    cisColumnsBuilt = made;
  }

  function columns() {
    return baseColumns + (table.classList.contains("flat") ? 1 : 0) +
      (table.classList.contains("cis") ? cisIds.length : 0);
  }

  function spanHeadings() {
    var span = String(columns());
    groups.forEach(function (group) {
      group.heading.setAttribute("colspan", span);
    });
    flatHeading.setAttribute("colspan", span);
  }

  function showCisColumns() {
    var on = cisColumns.checked && cisIds.length > 0;
    if (on === table.classList.contains("cis")) {
      return;
    }
    if (on && !cisColumnsBuilt) {
      buildCisColumns();
    }
    if (on) {
      cisColumnsBuilt.cols.forEach(function (col) { colgroup.appendChild(col); });
      cisColumnsBuilt.heads.forEach(function (head) { headRow.appendChild(head); });
    } else {
      cisColumnsBuilt.cols.forEach(function (col) { colgroup.removeChild(col); });
      cisColumnsBuilt.heads.forEach(function (head) { headRow.removeChild(head); });
    }
    table.classList.toggle("cis", on);
    spanHeadings();
  }

  function inOu(ou, wanted) {
    return ou === wanted || (wanted !== "" && ou.indexOf(wanted + "/") === 0);
  }

  function hasStatus(entry, box, cisIndex, status) {
    if (!status) {
      return true;
    }
    if (box || cisIndex >= 0) {
      return (!box || entry.statuses[box] === status) &&
        (cisIndex < 0 || LETTERS[entry.cis.charAt(cisIndex)] === status);
    }
    for (var i = 0; i < boxColumns.length; i += 1) {
      if (entry.statuses[boxColumns[i].box] === status) {
        return true;
      }
    }
    return false;
  }

  function apply() {
    var terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var ou = ouChoice.value;
    var wanted = ou.slice(OU_PREFIX.length);
    var box = boxChoice.value;
    var cisIndex = cisIds.indexOf(cisChoice.value);
    var status = statusChoice.value;
    var failing = failingOnly.checked;
    var filtered = terms.length > 0 || ou !== "" || status !== "" || failing;
    var flat = table.classList.contains("flat");
    var shown = 0;
    groups.forEach(function (group) {
      var ouMatches = ou === "" || inOu(group.ou, wanted);
      var shownHere = 0;
      group.entries.forEach(function (entry) {
        var show = ouMatches &&
          (!failing || entry.failing) &&
          hasStatus(entry, box, cisIndex, status) &&
          terms.every(function (term) { return entry.text.indexOf(term) !== -1; });
        if (show !== entry.shown) {
          entry.row.hidden = !show;
          entry.shown = show;
        }
        if (show) {
          shownHere += 1;
        }
      });
      var groupHidden = flat || shownHere === 0;
      if (group.body.hidden !== groupHidden) {
        group.body.hidden = groupHidden;
      }
      var count = filtered ? " \u00b7 " + shownHere + " of " + group.entries.length + " shown" : "";
      if (group.counter && count !== group.count) {
        group.counter.textContent = count;
        group.count = count;
      }
      shown += shownHere;
    });
    if (flat) {
      flatHeading.textContent = "Every OU, " + sortChoice.options[sortChoice.selectedIndex].text + " \u00b7 " +
        shown + " of " + entries.length + " accounts";
    }
    flatBody.hidden = !flat || shown === 0;
    shownText.textContent = shown + " of " + entries.length + " accounts shown";
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

  /* A sort shows one flat list over every OU, with an OU column; "by OU and account id" puts the groups back. */
  function sort() {
    var order = sortChoice.value;
    var flat = table.classList.contains("flat");
    if (order) {
      if (!ouColumn) {
        buildOuColumn();
      }
      var rows = document.createDocumentFragment();
      entries.slice().sort(byPassed(order === "most")).forEach(function (entry) {
        rows.appendChild(entry.row);
      });
      flatBody.appendChild(rows);
      if (!flat) {
        colgroup.insertBefore(ouColumn.col, colgroup.children[2] || null);
        headRow.insertBefore(ouColumn.head, headRow.cells[2] || null);
        table.classList.add("flat");
      }
    } else if (flat) {
      groups.forEach(function (group) {
        var back = document.createDocumentFragment();
        group.entries.forEach(function (entry) {
          back.appendChild(entry.row);
        });
        group.body.appendChild(back);
      });
      colgroup.removeChild(ouColumn.col);
      headRow.removeChild(ouColumn.head);
      table.classList.remove("flat");
    }
    spanHeadings();
    apply();
  }

  search.addEventListener("input", apply);
  [ouChoice, boxChoice, cisChoice, statusChoice, failingOnly].forEach(function (control) {
    control.addEventListener("change", apply);
  });
  cisColumns.addEventListener("change", showCisColumns);
  sortChoice.addEventListener("change", sort);
  /* The summary's counts: a link to the matrix with a box or CIS check and a status sets the filters to
     exactly those accounts, the others cleared, then lands on the matrix as the link says. */
  Array.prototype.forEach.call(document.querySelectorAll("a[data-filter-status]"), function (link) {
    link.addEventListener("click", function () {
      search.value = "";
      ouChoice.value = "";
      failingOnly.checked = false;
      boxChoice.value = link.getAttribute("data-filter-box") || "";
      cisChoice.value = link.getAttribute("data-filter-cis") || "";
      statusChoice.value = link.getAttribute("data-filter-status");
      apply();
    });
  });
  /* A reload may bring back the controls' earlier state: the page follows it. */
  showCisColumns();
  if (sortChoice.value) {
    sort();
  } else {
    apply();
  }
  tools.hidden = false;
}());
