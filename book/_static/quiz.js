// Quizzes that answer back. Each question in book/*/quiz.md is a list of options ("a. ...", "b. ...")
// followed by a "Show answer" dropdown whose text starts with the right letter in bold ("**b.** why").
// This script turns the options into buttons: a click marks the choice right or wrong at once and opens
// the explanation. Without JavaScript the page is unchanged: options as a list, the answer in its dropdown.
(function () {
  "use strict";

  var OPTION = /^\s*([a-z])\.\s/;

  function answerOf(details) {
    var strong = details.querySelector(".sd-summary-content strong, strong");
    var match = strong && strong.textContent.trim().match(/^([a-z])\.?$/);
    return match ? match[1] : null;
  }

  function optionsBefore(details) {
    var list = details.previousElementSibling;
    if (!list || list.tagName !== "UL") return null;
    var items = Array.prototype.slice.call(list.children);
    var lettered = items.every(function (item) { return OPTION.test(item.textContent); });
    return lettered && items.length > 1 ? list : null;
  }

  function choose(list, details, chosen, answer) {
    var buttons = list.querySelectorAll("button.quiz-option");
    buttons.forEach(function (button) {
      var letter = button.dataset.letter;
      button.classList.remove("quiz-right", "quiz-wrong");
      button.setAttribute("aria-pressed", String(letter === chosen));
      if (letter === answer && (chosen === answer)) button.classList.add("quiz-right");
      if (letter === chosen && chosen !== answer) button.classList.add("quiz-wrong");
    });
    var feedback = list.nextElementSibling;
    var right = chosen === answer;
    feedback.className = "quiz-feedback " + (right ? "quiz-feedback-right" : "quiz-feedback-wrong");
    feedback.textContent = right
      ? "Right: " + answer + ". Why, below."
      : "Not quite: you chose " + chosen + ". Try again, or read why below.";
    details.open = true;
  }

  function makeInteractive(details) {
    var answer = answerOf(details);
    var list = optionsBefore(details);
    if (!answer || !list) return;
    list.classList.add("quiz-options");
    Array.prototype.forEach.call(list.children, function (item) {
      var letter = item.textContent.match(OPTION)[1];
      var button = document.createElement("button");
      button.type = "button";
      button.className = "quiz-option";
      button.dataset.letter = letter;
      button.setAttribute("aria-pressed", "false");
      while (item.firstChild) button.appendChild(item.firstChild);
      item.appendChild(button);
      button.addEventListener("click", function () { choose(list, details, letter, answer); });
    });
    var feedback = document.createElement("p");
    feedback.className = "quiz-feedback";
    feedback.setAttribute("role", "status");
    feedback.setAttribute("aria-live", "polite");
    feedback.textContent = "Pick an answer.";
    list.parentNode.insertBefore(feedback, details);
  }

  function init() {
    document.querySelectorAll("details.sd-dropdown").forEach(function (details) {
      var summary = details.querySelector("summary");
      if (summary && /show answer/i.test(summary.textContent)) makeInteractive(details);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
