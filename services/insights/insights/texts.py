"""Every message the insights service shows people when it refuses something: Swedish first,
English second, under one key each (fickan_common.texts)."""

from __future__ import annotations

from fickan_common.texts import Text

STAFF_ONLY = Text(
    "insights.staff_only", "Bara kommunens personal kan göra det här.", "Only the municipality's staff can do this."
)
TOO_MANY_MUNICIPALITIES = Text(
    "insights.too_many_municipalities",
    "Välj högst {max} kommuner att jämföra med.",
    "Choose at most {max} municipalities to compare with.",
)
AT_MOST = Text("insights.at_most", "Högst {max} st.", "At most {max}.")
UNKNOWN_MUNICIPALITY = Text(
    "insights.unknown_municipality",
    "Kommunen finns inte bland jämförelsekommunerna: {names}.",
    "The municipality is not among those to compare with: {names}.",
)
CHOOSE_FROM_LIST = Text(
    "insights.choose_from_list", "Välj bland kommunerna i listan.", "Choose among the municipalities in the list."
)
QUESTION_NOT_IN_GUIDE = Text(
    "insights.question_not_in_guide",
    "Frågan finns inte i guiden just nu. Börja om guiden.",
    "The question is not in the guide right now. Start the guide again.",
)
UNKNOWN_QUESTION = Text("insights.unknown_question", "Okänd fråga i guiden.", "Unknown question in the guide.")
ANSWER_NOT_IN_GUIDE = Text(
    "insights.answer_not_in_guide",
    "Svaret finns inte i guiden. Välj ett av svaren.",
    "The answer is not in the guide. Choose one of the answers.",
)
CHOOSE_ANSWER = Text("insights.choose_answer", "Välj ett av svaren.", "Choose one of the answers.")
COMPARISON_NOT_FOUND = Text(
    "insights.comparison_not_found", "Jämförelsen finns inte.", "The comparison does not exist."
)
KPI_NOT_IN_COMPARISON = Text(
    "insights.kpi_not_in_comparison",
    "Nyckeltalet {kpi} finns inte i jämförelsen {title}.",
    "The indicator {kpi} is not in the comparison {title}.",
)
CHOOSE_KPI = Text(
    "insights.choose_kpi", "Välj ett av nyckeltalen i listan.", "Choose one of the indicators in the list."
)
SET_NOT_IN_COMPARISON = Text(
    "insights.set_not_in_comparison",
    "Den gruppen av kommuner finns inte i den här jämförelsen.",
    "That group of municipalities is not in this comparison.",
)
CHOOSE_SET = Text("insights.choose_set", "Välj en av grupperna.", "Choose one of the groups.")
NO_FIGURES_FOR_YEAR = Text(
    "insights.no_figures_for_year",
    "Det finns inga siffror för {year}. År med siffror: {years}.",
    "There are no figures for {year}. Years with figures: {years}.",
)
NO_YEARS_YET = Text("insights.no_years_yet", "inga år ännu", "no years yet")
CHOOSE_YEAR_WITH_FIGURES = Text(
    "insights.choose_year_with_figures", "Välj ett år som har siffror.", "Choose a year that has figures."
)
KPI_NOT_FOUND = Text("insights.kpi_not_found", "Nyckeltalet {kpi} finns inte.", "The indicator {kpi} does not exist.")
UNKNOWN_KPI = Text("insights.unknown_kpi", "Okänt nyckeltal.", "Unknown indicator.")
YEAR_RANGE = Text("insights.year_range", "Ange ett år mellan 1990 och 2100.", "Enter a year between 1990 and 2100.")
GUIDE_NOT_FOUND = Text("insights.guide_not_found", "Guiden finns inte.", "The guide does not exist.")
LINK_NOT_IN_GUIDE = Text(
    "insights.link_not_in_guide", "Länken finns inte i guidens svar.", "The link is not in the guide's answers."
)
UNKNOWN_LINK = Text("insights.unknown_link", "Okänd länk.", "Unknown link.")
GUIDE_NOT_RECOGNISED = Text(
    "insights.guide_not_recognised", "Guiden känns inte igen. Börja om.", "The guide is not recognised. Start again."
)
INVALID_ID = Text("insights.invalid_id", "Ogiltigt id.", "Invalid id.")
GUIDE_VERSION_GONE = Text(
    "insights.guide_version_gone",
    "Den versionen av guiden finns inte längre. Börja om.",
    "That version of the guide no longer exists. Start again.",
)
