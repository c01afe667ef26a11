"""Signs that a message may be urgent, for the messages no detector flags and no FAQ answers.

Asking a patient in danger to "say it another way" costs minutes, so a message
the bot cannot understand is never asked to rephrase when it carries one of
these signs; it gets the short "possibly urgent" reply and an urgent handoff
instead (bot.gateway.routing). The signs are deliberately broad, and they
matter only for messages that neither detector flagged and Rasa could not
answer. How often plain FAQ questions reach the tier is measured by
`patientbot eval safety` (docs/safety.md).

Three kinds, in English and Spanish:
* vulnerable: a newborn or baby, a pregnancy, an older person;
* severe: a symptom word that is severe in itself (unconscious, limp, blood...);
* time_danger: words of sudden onset, of inability, of something that will not
  stop, or of danger from someone.
"""

from __future__ import annotations

import re

VULNERABLE = "vulnerable"
SEVERE = "severe"
TIME_DANGER = "time_danger"


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:" + "|".join(patterns) + r")(?![\w])", re.IGNORECASE)


_SIGNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        # A baby under about three months, a pregnancy, an older person: not every baby,
        # since "honey for a 6 month old" is a plain FAQ question.
        VULNERABLE,
        _words(
            r"new ?borns?", r"preemie", r"premature baby",
            r"(?:\d{1,2}|a|one|two|three|four|five|six)[ -]?(?:day|days|wk|wks|week|weeks)[ -]?old",
            r"pregnant", r"pregnancy", r"preggers", r"\d{1,2} ?(?:weeks|wks) (?:along|gone)",
            r"elderly", r"(?:old|older|aged) (?:man|woman|lady|person|parent|mother|father)",
            r"(?:[7-9]\d|1[01]\d)[ -]?(?:years?|yrs?|y/?o)(?:[ -]?old)?",
            r"reci[eé]n nacid[oa]s?", r"embarazada", r"embarazo", r"anciano?a?s?",
        ),
    ),
    (
        SEVERE,
        _words(
            r"severe(?:ly)?", r"unbearable", r"excruciating", r"agon(?:y|ising|izing)", r"worst pain",
            r"unconscious", r"unresponsive", r"passed out", r"pass(?:ing)? out", r"faint(?:ed|ing)",
            r"collaps(?:e|ed|ing)", r"limp", r"blue spells?", r"very (?:drowsy|sleepy|weak)", r"hard to wake", r"(?:going|goes|went) (?:blue|purple)", r"floppy", r"lifeless", r"turn(?:ed|ing) (?:blue|grey|gray)",
            r"(?:lips|face|skin) (?:are|is|look|looks|went|gone) (?:blue|grey|gray)",
            r"bleeding (?:heavily|a lot|badly)", r"(?:heavy|heavily|lots of|so much) (?:bleeding|blood)",
            r"coughing (?:up )?blood", r"vomit(?:ing|ed)? blood", r"throwing up blood",
            r"seizures?", r"fitting", r"convuls(?:ing|ion|ions)", r"chok(?:e|ing|ed)", r"suffocat(?:e|ing)",
            r"gasping", r"confus(?:ed|ion)", r"delirious", r"disoriented", r"paraly[sz]ed",
            r"dying", r"suicid(?:e|al)", r"overdos(?:e|ed|ing)", r"poison(?:ed|ing)",
            r"raped?", r"sexually assaulted", r"stabbed", r"hallucinat(?:ing|ions?)",
            r"inconsciente", r"desmay(?:o|ó|ado|ada)", r"convulsi(?:ón|on|ones)", r"no respira",
            r"ahog(?:a|ando|o)", r"muriendo", r"dolor (?:fuerte|intenso|horrible|insoportable)",
            r"violad[oa]", r"sangra (?:mucho|mucha)", r"mucha sangre",
            # learned from batch_01 (measured frozen first, docs/safety.md)
            r"barely (?:breathing|responding|responds|responsive|awake|conscious|moving)",
            r"(?:too|to) many (?:pills|tablets|tablts|tabs)", r"(?:whole|hole|entire) (?:packet|bottle|box)",
            r"held (?:me|her|him) down", r"numb and useless", r"just lies there",
            r"(?:doesn'?t|dont|don'?t|does not|do not) (?:know|no) (?:who|where|what day)",
            r"no sabe (?:dónde|donde|quién|quien|qué día|que dia)", r"muy mareada?",
            # learned from batch_06 (its misses asked to rephrase)
            r"bright red blood", r"mouthfuls? of blood", r"skin (?:is|looks|went|gone|turned) (?:white|charred|black|leathery)",
            r"seguir viviendo", r"(?:las|unas|mis) pastillas",
        ),
    ),
    (
        TIME_DANGER,
        _words(
            r"sudden(?:ly)?", r"all of a sudden", r"out of nowhere",
            r"(?:can'?t|cannot|couldn'?t|unable to) (?:breathe|breath|move|walk|talk|speak|see|stand|"
            r"swallow|wake|stay awake|feel|remember|stop|keep anything down|pee|wee)",
            r"won'?t (?:stop|wake|feed|eat|drink|breathe|respond|move|take)",
            r"(?:can'?t|cannot|cant) make it stop", r"(?:for over|more than) an hour now",
            r"wont (?:stop|wake|feed|eat|drink|breathe|respond|move)",
            r"(?:not|isn'?t|isnt|stopped) (?:breathing|waking|responding|moving|feeding|peeing|weeing)",
            r"keeps? (?:vomiting|throwing up|bleeding|passing out|fainting)", r"getting worse fast",
            r"right now", r"scared for my life", r"terrified", r"in danger",
            r"threat(?:en|ening|ened)", r"(?:kill|hurt|hit|beat|beating|hitting|hurting) (?:me|my)",
            r"attack(?:ed|ing) me", r"help me", r"please help", r"pls help", r"send help",
            r"finish(?:es|ing)? (?:me|us) (?:off)?", r"esta noche",
            r"de repente", r"no puede (?:respirar|moverse|hablar|despertar)", r"no para de",
            r"ayuda(?:me)?", r"tengo miedo", r"peligro", r"amenaz(?:a|ando|ó)",
        ),
    ),
)


# A general question: it opens as a question and names nobody ("is the flu vaccine safe in
# pregnancy", "what are the signs of severe dehydration"). Its words of severity or
# vulnerability are its topic, not a situation, so it carries no sign: the bot offers the
# FAQs it may mean instead of "this could be urgent". Of the 1,541 emergencies of the
# labelled set and the seven batches, none reads as one (each names a person or speaks in
# the first person), and the red-flag detectors still check every message.
_QUESTION_OPENING = re.compile(
    r"^\s*¿?\s*(?:what|what's|whats|how|why|which|who|when|where|is|are|was|were|can(?!['’]?t)|could(?!n)|"
    r"does|do(?!n)|did(?!n)|should|will|would|qu[eé]|c[oó]mo|cu[aá]l|cu[aá]ndo|d[oó]nde|por qu[eé]|es|son)\b",
    re.IGNORECASE,
)
_SOMEBODY = _words(
    r"i", r"i'?m", r"i'?ve", r"i'?d", r"i'?ll", r"im", r"ive", r"me", r"my", r"mine", r"myself", r"we", r"our", r"us",
    r"he", r"she", r"his", r"her", r"him", r"hes", r"shes", r"he'?s", r"she'?s", r"they", r"them", r"their",
    r"someone", r"somebody", r"son", r"daughter", r"baby", r"babies", r"newborn", r"mum", r"mom", r"mam",
    r"dad", r"husband", r"wife", r"partner", r"boyfriend", r"girlfriend", r"child", r"kid", r"kids", r"boy",
    r"girl", r"friend", r"brother", r"sister", r"nan", r"gran", r"grandma", r"grandad", r"grandpa", r"uncle",
    r"aunt", r"neighbou?r", r"toddler", r"yo", r"mi", r"mis", r"me", r"tengo", r"estoy", r"hijo", r"hija",
    r"beb[eé]", r"mam[aá]", r"pap[aá]", r"esposo", r"esposa", r"marido", r"abuel[oa]", r"novi[oa]",
)


def is_general_question(text: str) -> bool:
    """A question that opens as one and names nobody: about a topic, not a situation."""
    return bool(_QUESTION_OPENING.search(text or "")) and not _SOMEBODY.search(text or "")


def urgency_signs(text: str) -> tuple[str, ...]:
    """The kinds of urgency sign in a message, in a fixed order (empty when none or a general question)."""
    if is_general_question(text):
        return ()
    return tuple(kind for kind, pattern in _SIGNS if pattern.search(text or ""))
