// Progressive enhancement of the fault report form (it works without this file): show only the
// chosen kind's questions, and fill in the position from the device's location when asked.
(function () {
  "use strict";
  var kind = document.getElementById("service_code");
  if (!kind) { return; }
  function showQuestions() {
    document.querySelectorAll("[data-for-kind]").forEach(function (box) {
      box.hidden = box.getAttribute("data-for-kind") !== kind.value;
    });
  }
  kind.addEventListener("change", showQuestions);
  showQuestions();
  var locate = document.querySelector("[data-locate]");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        document.getElementById("lat").value = position.coords.latitude.toFixed(6);
        document.getElementById("long").value = position.coords.longitude.toFixed(6);
      });
    });
  }
})();
