/* Voqo's page behaviour, on top of plain HTML that works without it:
   - the Menu button folds the sidebar away on small screens;
   - every table sits in a box of its own that scrolls sideways when the table is wider
     than the screen, so the page itself never does. A box that scrolls is focusable and
     named, so keyboard users can scroll it too (WCAG 2.1.1). Each cell is labelled with its
     column's heading, which the stacked rows on a phone show (see voqo.css). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function setUpMenu() {
    var toggle = document.querySelector(".menu-toggle");
    if (!toggle) return;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      toggle.closest(".sidebar").classList.toggle("is-open", open);
    });
  }

  function tableName(table) {
    if (table.caption) return table.caption.textContent.trim();
    if (table.getAttribute("aria-label")) return table.getAttribute("aria-label");
    var section = table.closest("section, form, main");
    var heading = section && section.querySelector("h1, h2, h3, legend");
    return heading ? heading.textContent.trim() + " (table)" : "Table";
  }

  function markScrollable(box) {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", tableName(box.querySelector("table")));
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }

  var resizes = window.ResizeObserver
    ? new ResizeObserver(function (entries) {
        entries.forEach(function (entry) { markScrollable(entry.target); });
      })
    : null;

  function labelCells(table) {
    var headings = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, index) {
          if (headings[index]) cell.setAttribute("data-label", headings[index].textContent.trim());
        });
      });
    });
  }

  function boxTables(root) {
    var tables = Array.prototype.slice.call(root.querySelectorAll("table"));
    var around = root.closest && root.closest("table"); // rows swapped into a table
    if (around) tables.push(around);
    tables.forEach(function (table) {
      labelCells(table);
      if (table.parentElement.classList.contains("table-scroll")) return;
      var box = document.createElement("div");
      box.className = "table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
      markScrollable(box);
      if (resizes) resizes.observe(box);
    });
  }

  function start() {
    setUpMenu();
    if (window.htmx) {
      window.htmx.onLoad(boxTables); // the page, then every fragment HTMX swaps in
    } else {
      boxTables(document.body);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
