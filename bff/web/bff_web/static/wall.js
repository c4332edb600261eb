// The wall screen: the board comes again over Server-Sent Events whenever it changed (the page
// reloads itself every 15 s without this file). EventSource reconnects by itself.
(function () {
  "use strict";
  var board = document.getElementById("wall-board");
  if (!board || !window.EventSource) { return; }
  var source = new EventSource(board.getAttribute("data-stream"));
  source.onmessage = function (event) { board.innerHTML = event.data; };
})();
