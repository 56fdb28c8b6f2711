// The pages' words in Kazakh (first), Russian and English.
"use strict";
const SABAQ_TEXT = {
  kk: {
    tagline: "мектеп сабақтары эфирде", live: "Тікелей эфир", guide: "Бағдарлама",
    find: "Сабақ іздеу", grade: "Сынып", subject: "Пән", text: "Мәтін", search: "Іздеу",
    now: "Қазір", next: "Кейін", nothing: "Эфирде ештеңе жоқ", watch: "Көру",
    catchup: "Қайта көру", today: "Бүгін", gradeN: (n) => `${n}-сынып`,
    lessonN: (n) => `${n}-сабақ`, nextAiring: "Келесі эфир", noResults: "Ештеңе табылмады",
    breakTitle: "Үзіліс", playingLive: "Тікелей", playingCatchup: "Қайта көру",
    weekdays: ["Жс", "Дс", "Сс", "Ср", "Бс", "Жм", "Сб"],
  },
  ru: {
    tagline: "школьные уроки в эфире", live: "Прямой эфир", guide: "Программа",
    find: "Поиск урока", grade: "Класс", subject: "Предмет", text: "Текст", search: "Найти",
    now: "Сейчас", next: "Далее", nothing: "Сейчас ничего нет в эфире", watch: "Смотреть",
    catchup: "Смотреть запись", today: "Сегодня", gradeN: (n) => `${n} класс`,
    lessonN: (n) => `урок ${n}`, nextAiring: "Следующий эфир", noResults: "Ничего не найдено",
    breakTitle: "Перерыв", playingLive: "Прямой эфир", playingCatchup: "Запись",
    weekdays: ["Вс", "Пн", "Вт", "Ср", "Чт", "Пт", "Сб"],
  },
  en: {
    tagline: "school lessons on air", live: "Live", guide: "Guide",
    find: "Find a lesson", grade: "Grade", subject: "Subject", text: "Text", search: "Search",
    now: "Now", next: "Next", nothing: "Nothing on air", watch: "Watch",
    catchup: "Catch up", today: "Today", gradeN: (n) => `Grade ${n}`,
    lessonN: (n) => `lesson ${n}`, nextAiring: "Next airing", noResults: "Nothing found",
    breakTitle: "Break", playingLive: "Live", playingCatchup: "Catch-up",
    weekdays: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
  },
};
