// When a form's question is shown (show_if), as fickan_common.conditions decides it on the server.
// answerOf(name) gives the answer so far ("" when none). Passes libs/common's show_if_cases.json
// in bff/web's tests, so the browser and the server never disagree.
var FickanConditions = (function () {
  "use strict";
  function has(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }

  function holds(condition, answerOf) {
    if (!condition) { return true; }
    if (condition.all) { return condition.all.every(function (c) { return holds(c, answerOf); }); }
    if (condition.any) { return condition.any.some(function (c) { return holds(c, answerOf); }); }
    var answer = answerOf(condition.question);
    if (has(condition, "equals")) { return answer === condition.equals; }
    if (has(condition, "not_equals")) { return answer !== condition.not_equals; }
    if (has(condition, "in")) { return condition["in"].indexOf(answer) !== -1; }
    if (condition.answered) { return answer !== ""; }
    return true;
  }

  return { holds: holds };
}());

if (typeof module !== "undefined") { module.exports = FickanConditions; }
