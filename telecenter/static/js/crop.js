// The crop field shows only for agriculture (the chosen category, or the chosen course's).
// Hidden, it is disabled, so it sends nothing. Without this script the field is always shown
// and the server says when a crop is missing or not wanted.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("[data-crop-for]");
  if (!box) { return; }
  var category = document.getElementById(box.dataset.cropFor);
  var course = box.dataset.courseSelect ? document.getElementById(box.dataset.courseSelect) : null;
  var courses = JSON.parse(box.dataset.courses || "{}");  // id -> [category, crop or null]
  var crop = box.querySelector("select");
  function chosenCourse() { return course && course.value ? courses[course.value] : null; }
  function update() {
    var linked = chosenCourse();
    var topic = linked ? linked[0] : category.value;
    var agriculture = topic === "agriculture";
    box.hidden = !agriculture;
    crop.disabled = !agriculture;
  }
  if (course) {
    course.addEventListener("change", function () {
      var linked = chosenCourse();
      if (linked && linked[1]) { crop.value = linked[1]; }  // the course's crop, to start with
      update();
    });
  }
  category.addEventListener("change", update);
  update();
});
