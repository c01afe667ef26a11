"""ConText rules for patient messages: negation, hypothetical, historical, recent, someone else.

medspaCy's default rules were written for clinical notes ("denies", "r/o",
"h/o") and treat every "not" as negating the rest of the sentence, so "I
can't breathe and my lips are blue" would come out negated. These rules are
written for how patients type, in the notation of bot.nlp.patterns.

Categories:
    NEGATED_EXISTENCE  "no chest pain", "the bleeding has stopped"
    HYPOTHETICAL       "what if", "signs of", "how do I know if", "risk of"
    HISTORICAL         "in 2015", "3 years ago", "as a child", "history of"
    RECENT             "last night", "an hour ago", "right now": beats HISTORICAL
                       when nearer to the symptom ("stroke in 2015, now my
                       face is drooping"); recency never makes a negated or
                       hypothetical mention count
    FAMILY             someone else (any person, not only family): the flag
                       still counts, it is only labelled "other_person"
    TERMINATE          ends every modifier's scope ("but", "because")
    PSEUDO             look-alikes that must not act as cues ("not sure",
                       "no idea", "have symptoms of"); medspaCy keeps the
                       longest overlapping cue, so these win over "not"/"no"
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span

NEGATED = "NEGATED_EXISTENCE"
HYPOTHETICAL = "HYPOTHETICAL"
HISTORICAL = "HISTORICAL"
# Separate names so that two past-time cues do not cut each other's scope
# (ConText shortens a modifier's scope at the next cue of the same category).
HISTORICAL_AFTER = "HISTORICAL_AFTER"
HISTORICAL_CHRONIC = "HISTORICAL_CHRONIC"
HISTORICAL_CATEGORIES = frozenset({HISTORICAL, HISTORICAL_AFTER, HISTORICAL_CHRONIC})
RECENT = "RECENT"
OTHER = "FAMILY"

# Words that start a new clause: a negation before one of them does not reach past it.
CLAUSE_BREAKERS = frozenset(
    {
        "i", "im", "he", "she", "we", "they", "you", "u", "it", "hes", "shes", "theyre",
        "but", "so", "because", "cause", "cos", "coz", "bc", "when", "while", "until",
        "now", "then", "since", "after", "before", "though", "although", "however", "yet",
        "which", "who", "what", "anyway", "except", "still", "just", "suddenly",
        ".", "!", "?", ";", ":",
    }
)


def _words_between(target: Span, modifier: Span) -> Span:
    """The words strictly between a target and its cue.

    medspaCy's own `span_between` includes the cue itself when the cue comes
    after the target, so it is recomputed here.
    """
    doc = target.doc
    if modifier.start >= target.end:
        return doc[target.end : modifier.start]
    return doc[modifier.end : target.start]


def _negation_reaches(target: Span, modifier: Span, _between: Span) -> bool:
    """A negation cue covers a symptom only across a few words and no new clause."""
    between = _words_between(target, modifier)
    return len(between) <= 6 and not any(t.lower_ in CLAUSE_BREAKERS for t in between)


def _resolution_reaches(target: Span, modifier: Span, _between: Span) -> bool:
    """'the bleeding has stopped': only words like 'has', 'now', 'completely' in between."""
    between = _words_between(target, modifier)
    allowed = {"is", "has", "have", "had", "'s", "s", "now", "completely", "totally", "all",
               "finally", "already", "mostly", "pretty", "much", "kind", "of", "since", "thankfully"}
    if not (len(between) <= 3 and all(t.lower_ in allowed for t in between)):
        return False
    return not _is_a_change(modifier)


# What may follow "gone" or "passed" when it means the symptom went away ("it's gone now").
_AFTER_RESOLUTION = frozenset({"now", "away", "completely", "thankfully", "already", "again", "off"})


def _is_a_change(modifier: Span) -> bool:
    """'has gone a grey colour', 'gone floppy', 'passed out': a change for the worse, not an end."""
    if len(modifier) != 1 or modifier[0].lower_ not in {"gone", "went", "passed"}:
        return False
    doc = modifier.doc
    following = doc[modifier.end] if modifier.end < len(doc) else None
    return following is not None and following.is_alpha and following.lower_ not in _AFTER_RESOLUTION


# Words that tie a sentence to a real case ("my", "he", "this", "I'm", "now"), or end the clause.
_OWN_CASE = frozenset(
    {
        "my", "his", "her", "their", "our", "he", "she", "they", "him", "them", "this", "these",
        "hes", "shes", "im", "ive", "'m", "am", "'ve", "ve", "now", "currently", "rn",
        ",", ".", "!", "?", ";", ":", "but", "because", "cause", "cos", "coz", "so", "however",
    }
)


def _general_cue_reaches(target: Span, modifier: Span, _between: Span) -> bool:
    """'how do I help someone having a seizure' is general; 'how do I help, my dad is fitting' is not."""
    between = _words_between(target, modifier)
    return not any(t.lower_ in _OWN_CASE for t in between)


def _general_question_reaches(target: Span, modifier: Span, _between: Span) -> bool:
    """'is chest pain normal?': a cue after the symptom, in a question, in the same clause.

    "my chest is crushing, is this serious?" is not general: a comma or a
    pointer to the situation ("this", "it") sits between symptom and cue.
    """
    between = _words_between(target, modifier)
    if not is_question(target.sent) or len(between) > 4:
        return False
    return not any(t.lower_ in CLAUSE_BREAKERS or t.lower_ in {",", "this", "that"} for t in between)


QUESTION_STARTS = frozenset(
    {
        "what", "whats", "what's", "how", "why", "when", "where", "which", "who", "whom",
        "can", "could", "does", "do", "did", "is", "are", "should", "would", "will", "may",
        "might", "am", "was", "were", "has", "have", "shall", "any", "anyone", "pls",
        "please", "hi", "hello", "hey", "q", "question",
    }
)


def is_question(sent: Span, *, strict: bool = False) -> bool:
    """An interrogative sentence: opens with a question word, or (unless strict) ends with '?'.

    Strict mode is for deciding that a question is general: "septic shock?"
    or "chest pain when I breathe?" end with "?" but describe a real case.
    """
    words = [t for t in sent if not t.is_punct and not t.is_space]
    if not words:
        return False
    if not strict and any(t.text == "?" for t in sent[-3:]):
        return True
    first = words[0].lower_
    if first in {"hi", "hello", "hey", "pls", "please", "q", "question"} and len(words) > 1:
        first = words[1].lower_
    return first in QUESTION_STARTS - {"hi", "hello", "hey", "pls", "please", "q", "question"}


@dataclass(frozen=True)
class Rule:
    """One ConText cue, before compilation: category, direction and notation rules."""

    category: str
    direction: str
    patterns: tuple[str, ...]
    max_scope: int | None = None
    check: str | None = None  # "negation", "resolution" or "question"


_CHECKS = {
    "negation": _negation_reaches,
    "general": _general_cue_reaches,
    "resolution": _resolution_reaches,
    "question": _general_question_reaches,
}

RULES: tuple[Rule, ...] = (
    # ------------------------------------------------------------- negation
    Rule(
        NEGATED,
        "FORWARD",
        (
            "=no|not|nt|n't|never|nor|neither",
            "=no|not any|sign|signs|symptom|symptoms|history|trace|evidence of?",
            "deny|denies|denied|denying",
            "free of",
            "=none of",
            "=no =longer",
            "=nothing like",
        ),
        max_scope=8,
        check="negation",
    ),
    Rule(NEGATED, "FORWARD", ("=without",), max_scope=3, check="negation"),
    Rule(
        NEGATED,
        "BACKWARD",
        (
            "=stopped|ended|gone|resolved|subsided|settled|eased|cleared|disappeared|vanished|passed",
            "=go|went|gone|gon =away",
            "=better|fine|ok|okay|normal =now",
            "=not|n't|nt =anymore",
            "=no =more",
        ),
        max_scope=5,
        check="resolution",
    ),
    # ----------------------------------------------------------- hypothetical
    # conditionals: "what if I get chest pain", "if my son has a seizure"
    Rule(
        HYPOTHETICAL,
        "FORWARD",
        (
            "=if|incase|whether",
            "=in case",
            "=what =if",
            "=even =if",
            "=would|will|do|does|can|could|how =i|you|we =know|tell|notice|realise|realize =if|whether|when",
            "=how =do|does|can|would|will|could|should =i|you|we|one =know|tell|notice|realise|realize =if|whether|when",
            "=what to do =if|when|during|about|for",
            "=what =do|should|can =i|you|we =do =if|when|during",
            "=should =i =ever",
            "=hypothetically|theoretically|supposing|suppose",
        ),
        max_scope=8,
    ),
    # general-question cues: they reach a symptom only when nobody's own case is
    # named in between ("how do I stop the bleeding" is general, "how do I help
    # my dad, he collapsed" is not)
    Rule(
        HYPOTHETICAL,
        "FORWARD",
        (
            "sign|signs|symptom|symptoms of|for",
            "=warning|early =sign|signs|symptom|symptoms",
            "=what =does|do|did _? _? feel|look|sound like",
            "=how =do|can|would|could|will|should|to =i|you|we|one|someone|people? know|tell|recognise|recognize|spot|identify|notice|check",
            "=how to know|tell|recognise|recognize|spot|identify|treat|help|handle|manage|deal|prevent|stop|avoid",
            "=how do|can|should =i|you|we help|treat|handle|manage|prevent|avoid",
            "=first aid",
            "prevent|prevents|prevention|preventing|avoid|avoiding|reduce|reducing|lower|lowering =risk|chance|chances? _? _? of?",
            "prevent|preventing|prevention|avoid|avoiding",
            "=risk|risks|chance|chances|odds|likelihood of|for",
            "=at|higher|increased|high|greater|low|lower =risk",
            "worry|worried|scared|afraid|anxious|fear|frightened|terrified|concerned =about|of =getting|developing|ever|having",
            "=could|can|will|would|might|may =i|you|we|someone|people|a =get|have|develop|cause",
            "=difference|differences between",
            "=what =is|are =a|an|the",
            "=what's|whats =a|an|the",
            "=prone|likely|susceptible =to",
            "=more|less =likely",
            "=what =happens",
            "=when =should|do|to",
            "=how =long =does|do|can|will|should",
            "=how =common",
            "=is =it =normal|possible|common|safe|true",
            "=side =effect|effects",
            "=can|could|does|do|will|would _? _? _? cause|causes|trigger|give|lead",
            "=define|definition|meaning|explain|explanation =of|for|on|about",
            "=information|info|facts|article|articles|research|literature|references|statistics|stats =on|about|regarding|for|of",
            "=test|tests|tested|screen|screening|check|checked|checking =for",
            "=learn|read|class|course|training|teach",
            # learned from batch_06: "how do I use an epipen", "writing a novel where ..."
            "=how =do|should|can|would =i|you|we =use|give|inject|administer",
            "=novel|story|book|script|screenplay|film|movie|character|scene|plot",
        ),
        max_scope=8,
        check="general",
    ),
    Rule(
        HYPOTHETICAL,
        "BIDIRECTIONAL",
        (
            "=risk|risks|chance|chances",
        ),
        max_scope=4,
    ),
    Rule(
        HYPOTHETICAL,
        "BACKWARD",
        (
            "=a|an|the sign|symptom|signs|symptoms|cause|result|sign",
            "=mean|means|indicate|indicates",
            "=normal|common|serious|dangerous|possible",
            "=cause|causes|caused|trigger|triggers",
            "=define|definition|meaning|explain|explanation",
        ),
        max_scope=6,
        check="question",
    ),
    # -------------------------------------------------------------- historical
    Rule(
        HISTORICAL,
        "BIDIRECTIONAL",
        (
            "=in|since|back|during|around|about|from|of? @YEAR",
            "@NUM =of? =year|years|yr|yrs|y|month|months|mth|mths|mo|week|weeks|wk|wks|decade|decades =ago|back|before|earlier|prior|previously",
            "=a|an|few|couple|several|many|some =of? =year|years|yr|yrs|y|month|months|mth|mths|mo|week|weeks|wk|wks|decade|decades =ago|back|before|earlier|prior|previously",
            "year|years|yr|yrs|month|months|weeks|decade|decades =ago|back",
            "=last|previous|past|prior =year|month|summer|winter|spring|autumn|fall|christmas|decade|week|easter|halloween|thanksgiving",
            "=my|her =last|previous|first|second|third|other|older|eldest =pregnancy|pregnancies|baby|birth|labour|labor|delivery|child|son|daughter",
            "=as a =child|kid|teenager|teen|baby|toddler|student|youngster|newborn|infant",
            "=when =i|he|she|they =was|were =a? =child|kid|young|younger|little|teenager|teen|baby|small|pregnant|in|at|toddler|infant|newborn|student|boy|girl|younger",
            "=when =i|he|she|they =was|were @NUM",
            "=in|since|back|during|last|early|late|mid =january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec",
            "=growing =up",
            "=in =my|his|her|their =teens|twenties|thirties|forties|fifties|sixties|20s|30s|40s|50s|60s|70s|childhood|youth",
            "=history|hx of",
            "=past|previous|medical|family =history",
            "=runs =in =the|my|our =family",
            "=used =to",
            "=in =the =past",
            "=previously|formerly|once",
            "=died|passed =away? =of|from|after|with",
            "=recovered|recovering|recovery|survived|survivor|survivors|rehab|rehabilitation",
            "=at =age|the =age? =of? @NUM",
            "=aged|age @NUM",
            "=at @AGE",
            "=long|while|bit|time =ago|back",
            "=old =injury",
        ),
        max_scope=10,
    ),
    Rule(
        HISTORICAL_AFTER,
        "FORWARD",
        (
            "=after|since|following|post =my|his|her|their",
        ),
        max_scope=2,
    ),
    Rule(
        HISTORICAL_CHRONIC,
        "FORWARD",
        (
            "=for =years|months|ages|decades",
            "=for @NUM =years|months|decades",
            "=for =a|many|several|few =years|months|decades",
        ),
        max_scope=6,
    ),
    Rule(
        HISTORICAL_CHRONIC,
        "BACKWARD",
        (
            "=before",
            "=for =years|months|ages|decades",
            "=for @NUM =years|months|decades",
            "=for =a|many|several|few =years|months|decades",
            "=on =and =off",
            "=all =my =life",
        ),
        max_scope=6,
    ),
    # ------------------------------------------------------------------ recent
    Rule(
        RECENT,
        "BIDIRECTIONAL",
        (
            "=now|rn|currently|atm|today|tonight|tonite|yesterday|tdy|presently",
            "=right =now",
            "=at =the =moment",
            "=this|tonight =morning|afternoon|evening|am|pm",
            "=last =night",
            "=just|only =now",
            "=just",
            "@NUM =of? =minute|minutes|min|mins|hour|hours|hr|hrs|h|day|days|d|second|seconds|sec|secs =ago",
            "=a|an|few|couple|several =of? =minute|minutes|min|mins|hour|hours|hr|hrs|h|day|days|d|second|seconds|sec|secs =ago",
            "=am|'m|m|is|are|'s|s|keep|keeps =having|getting|experiencing",
            "=having|experiencing =a|an|another|the|some|this|these",
            "=another",
            "=minutes|hours|mins|hrs =ago",
            "=earlier =today|tonight",
            "=since =this|last =morning|night|evening|afternoon",
            "=started|starting|began|getting|worse|worsening|happening",
            "=this =week",
        ),
        max_scope=10,
    ),
    # ------------------------------------------------------------ someone else
    Rule(
        OTHER,
        "BIDIRECTIONAL",
        (
            "=my|our|his|her|their =aunt|brother|brothers|child|children|cousin|dad|daddy|daughter|father|grandchild|granddaughter|grandfather|grandmother|grandma|grandpa|granny|gran|nan|nana|grandson|husband|hubby|mom|mommy|mum|mummy|mother|nephew|niece|parent|parents|partner|sibling|sister|son|spouse|uncle|wife|friend|friends|bf|gf|boyfriend|girlfriend|roommate|flatmate|housemate|neighbour|neighbor|coworker|colleague|baby|toddler|kid|kids|boy|girl|teenager|teen|patient|client|student|flatmate|fiance|fiancee|stepdad|stepmom|stepmum|carer",
            "=he|she|him|hes|shes|they|them|someone|somebody|person|man|woman|guy|lady|child|kid|baby|babies|toddler|newborn|infant|son|daughter",
        ),
    ),
    # --------------------------------------------------------------- terminate
    Rule(
        "TERMINATE",
        "TERMINATE",
        (
            "=but|however|although|though|yet|except|anyway|anyways|because|cause|cos|coz|bc|whereas|meanwhile",
            "=apart|aside =from",
            "=other =than",
        ),
    ),
    # ------------------------------------------------------------------ pseudo
    Rule(
        "PSEUDO",
        "PSEUDO",
        (
            "=no|not|n't|nt =idea|clue|doubt|matter|way|time|joke|lie|kidding|exaggeration|sure|one|body|better|worse|help|improvement",
            "=no @PUNCT",
            "=not|n't|nt|never =sure|know|knowing|certain|think|understand|remember|only|just|even|stop|stopping|able|responding|responsive|breathing|breathe|waking|wake|moving|eating|feeding|drinking|improving|helping|working|fading|clotting|make|making|kidding|pee|peed|wee|urinate|pass|passed|clot|respond|react|reacting",
            "=not|n't|nt =feel|feeling|look|looking|seem|seeming =well|good|great|right|normal|ok|okay|myself|himself|herself",
            "=not|n't|nt =well|good|ok|okay|right|normal|fine",
            "=not|n't|nt =go =away",
            "=not|n't|nt =get =better",
            "=not|n't|nt =to =be",
            "=have|having|has|had|showing|show|shows|got|getting|experiencing|display|displaying =all? =the? =signs|symptoms|sign|symptom =of",
            "=as =if",
            "=if =i|you =am|'m|m|'m =honest",
            "=if =that|it =helps|matters",
            "=whether =or =not",
            "=what =do =i|we =do",
            "=what =should =i|we =do",
            "=past =hour|hours|minute|minutes|day|days|night|few",
            "=for =the =past|last",
            "=last =few =minutes|hours|days|mins|hrs",
            "=risk =it",
            "=born _? _? =weeks|week|wks|days|day|months|month =ago",
            "=at @NUM =weeks|week|wks|wk|w|days|months|pm|am|o'clock|oclock|ish|:",
            "=would =like|love|appreciate",
            "=know|sure|wonder|wondering|unsure|ask|asking|see|check|tell =if|whether",
            "=at =least",
            # "sorry if this is a silly question": an apology, not a condition (batch_05)
            "=sorry|apologies|apologise|apologize =if",
            # a threat is no hypothesis: "if she tells anyone he'll hurt her" (batch_05)
            "=if =i|she|he|you|we|they|anyone|anybody =tell|tells|told|leave|leaves|left|call|calls|report|reports|go|goes|say|says",
        ),
    ),
    # ---------------------------------------------------------------- Spanish
    # Only unambiguous cues: a bare "si" is also "yes" typed without its accent
    # ("si, me duele el pecho"), so conditionals need a subjunctive or "en caso de".
    Rule(
        HYPOTHETICAL,
        "FORWARD",
        (
            "=si =tuviera|tuviese|tuvieras|tuviéramos|tuvieran|fuera|llegara|pasara|tuvo",
            "=si =a =mi|tu|su|un|una|alguien",
            "=si =me|le|te|nos|les =da|dan|diera|pasa|pasara",
            "=en =caso =de|que",
            "=qué|que =hago|hacer|debo =si",
            "=qué|que =debo|debería|deberia|puedo|tengo =que? =hacer =si|cuando",
            "=si =alguien|uno|una",
            "=síntomas|sintomas|señales|senales|signos =de",
            "=cómo|como =saber|sé|se =si",
        ),
        max_scope=8,
    ),
    Rule(
        HISTORICAL,
        "BIDIRECTIONAL",
        (
            "=hace @NUM =año|años|anos|mes|meses|semana|semanas",
            "=hace =años|anos|meses|tiempo",
            "=hace =mucho =tiempo",
            "=hace =un|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|unos|unas|varios|varias|muchos =año|años|anos|mes|meses|semana|semanas",
            "=el =año|ano =pasado",
        ),
        max_scope=10,
    ),
)


def build_context_rules(lemma) -> list:
    """Compile RULES into medspaCy ConTextRules, lemmatizing with the pipeline's own table."""
    from bot.nlp.patterns import compile_pattern
    from bot.safety._medspacy import ConTextRule

    out = []
    for rule in RULES:
        for source in rule.patterns:
            out.append(
                ConTextRule(
                    literal=source,
                    category=rule.category,
                    pattern=compile_pattern(source, lemma),
                    direction=rule.direction,
                    max_scope=rule.max_scope,
                    on_modifies=_CHECKS[rule.check] if rule.check else None,
                )
            )
    return out
