"""The medical-advice guard: does this question need a clinician's judgement about the patient's own case?

PatientBot answers general questions from vetted FAQs ("what is a normal blood
pressure?"). It must not answer questions whose answer depends on the
patient's own situation: a personal diagnosis ("is this rash cancer?"), a
change to their medicines ("should I double my dose?", "can I stop my
statins?") or the meaning of their own results ("my potassium is 6.1, what
does that mean?"). Those go to a clinician.

Rule-based on the NLP pipeline (lemmas and the medical_terms entities), in
the rule notation of bot.nlp.patterns. Each rule gives one signal:
    RESULT     the patient's own test result or reading, with a value or a "what
               does it mean / is it bad" question
    DOSE       a change to a medicine: double, stop, skip, come off, switch...
    TAKE       "can I / should I take <medicine>", "can I drink on my antibiotics"
    DIAGNOSIS  "is this ...", "do I have ...", "what's wrong with me", "should I be worried"
    ADMIN      ordering, renewing or collecting: overrides TAKE only
    GENERAL    "how do I use an inhaler": a how-to question, overrides TAKE only
Precision on general questions matters most: a rule needs a first-person or
possessive anchor (I, my, this, my son), never a bare topic word.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

logger = logging.getLogger(__name__)

_ME = "=i|im|i'm|ive|me|we|my|our"
_MY = "=my|our|his|her|their"
_MODAL = "=should|shall|can|could|may|must|ought|do|would"
_WHO = "=i|it|we|he|she|they"
_MEDS = "@MED|@DRUG|dose|doses|dosage|meds|medication|medicine|pill|pills|tablet|tablets|inhaler|insulin"
_CHANGE = (
    "double|doubling|triple|increase|increasing|decrease|decreasing|reduce|reducing|lower|"
    "lowering|raise|raising|stop|stopping|quit|quitting|skip|skipping|miss|halve|halving|"
    "split|cut|change|changing|switch|switching|wean|weaning|taper|tapering|drop|dropping"
)
_JUDGE = (
    "mean|means|meaning|normal|high|higher|low|lower|bad|abnormal|elevated|raised|borderline|"
    "positive|negative|worry|worried|worrying|concerning|concerned|serious|ok|okay|dangerous|"
    "fine|good|healthy|safe|alarming|problem|much|little"
)
_REPORT = "came|come|show|showed|shows|shown|say|says|said|read|reads|reading|report|found|was|is|were|are"
_TEST_WORDS = (
    "result|results|test|tests|bloods|blood|scan|xray|x-ray|ecg|ekg|mri|ultrasound|biopsy|smear|"
    "reading|readings|level|levels|count|report|urine|sugar|sugars|pressure|bp|mammogram|swab"
)
_LOOKS = (
    "cancer|tumour|tumor|serious|infected|infection|normal|broken|fractured|dangerous|bad|"
    "worrying|contagious|shingles|melanoma|cyst|allergic|allergy|reaction|something|anything|"
    "gout|diabetes|diabetic|eczema|psoriasis|ringworm|scabies|impetigo|cellulitis|fungal|"
    "hernia|arthritis|sprain|sprained|concerning|harmless|benign|malignant|ok|okay|fine"
)
_SIGHT = "rash|lump|bump|spot|spots|mark|marks|mole|swelling|blister|patch|growth|bruise|sore|cut|wound|thing|cyst"
_NEEDS = (
    "antibiotics|antibiotic|stitches|stitch|xray|x-ray|scan|surgery|treatment|tablets|iron|"
    "supplements|medication|medicine|cream|steroids|inhaler|referral|operation|tests|insulin|epipen|grommets"
)
_ADMIN = (
    "order|ordering|renew|renewed|renewing|collect|collecting|pick|picking|repeat|refill|refilled|"
    "book|booking|send|sent|deliver|delivered|request|requesting|reorder|register|cancel|"
    "transfer|bring|post|posted"
)

RULES: dict[str, tuple[str, ...]] = {
    "RESULT": (
        f"{_MY} _? _? @LAB|{_TEST_WORDS} _? _? _? _? _? @NUM",
        f"{_MY} _? _? @LAB|{_TEST_WORDS} _? _? _? {_REPORT} _? _? _? {_JUDGE}",
        f"{_MY} _? _? @LAB|{_TEST_WORDS} _? _? _? _? =came|come|show|showed|shows|found|say|says|said =back?",
        f"=what =do|does|did|would|could =my|these|the|this|those _? _? @LAB|{_TEST_WORDS} _? _? =mean|show|indicate",
        f"=what =does|do|would|could =it|that|this =mean =that? {_MY}",
        f"@LAB _? _? @NUM _? _? _? =is|'s|s|are =that|this|it _? {_JUDGE}",
        "@LAB _? _? @NUM _? _? _? =should|do|does|am|is =i|that|this _? worry|worried|concern|mean",
        f"{_MY} _? @LAB|{_TEST_WORDS} _? _? _? _? _? too high|low",
    ),
    "DOSE": (
        f"{_MODAL}|=is {_WHO} _? _? _? {_CHANGE} _? _? _? _? {_MEDS}|it|them",
        f"{_MODAL} =i|we =come|coming =off",
        f"{_MODAL} =i|we =go =up|down",
        f"{_MODAL} =i|we =up =my|the|his|her _? {_MEDS}",
        f"{_MODAL} =i|we =keep =taking|on",
        f"=ok|okay|safe|alright|fine =to {_CHANGE} _? _? {_MEDS}",
        f"=take|taking|took|taken|use|using|used|have|had|give|gave|given =double|extra|more|less|another|two|three|half|twice _? _? _? _? {_MEDS}",
        "=missed|forgot|forgotten|skipped =to? =take? =my|a|the|this|last|today's|yesterday's _? _? @MED|dose|doses|meds|medication|pill|pills|tablet|tablets|insulin|injection",
        "=more|less =than @NUM _? _? @MED|paracetamol|ibuprofen|pills|tablets _? =a|per =day",
        "=too =much|little|high|low|strong|weak =for =me|him|her|my",
        "=what =dose|dosage|strength =of? _? _? =should|do|can|would =i|we|he|she",
        "=how =much|many _? _? _? =should|can|do =i|we =give|take|use",
    ),
    "TAKE": (
        f"{_MODAL}|=is {_WHO} _? _? _? =take|taking|use|using|give|giving|have|having|mix|mixing|combine|drink|drinking|drive|driving _? _? _? _? @MED|@DRUG",
        "=ok|okay|safe|alright|fine|possible|dangerous =for =me|him|her|my _? _? _? _? _? @MED",
        "=ok|okay|safe|alright|fine =to =take|use|give|have|drink|mix _? _? _? _? @MED",
        "=on =my|these|this|his|her @MED",
        "=prescribe|prescribed|prescribing =me|him|her|us|something",
        "=i =take|use|am|'m|m =on @MED _? _? _? _? _? _? _? =can|should|is|could|do",
        "=i|we|he|she =have|'ve|ve|has|'s|s|was|got|been =been? =prescribed|given|put _? _? _? _? @MED|@DRUG",
        "=put =me|him|her =on @MED",
    ),
    "DIAGNOSIS": (
        f"=is|could|might|can|does|would|will =this|these|that|it|my|his|her _? _? _? _? =be|look|looks|sound|sounds|seem|seems|mean|like _? _? _? @COND|{_LOOKS}",
        f"=is|are =this|these|my|his|her _? _? _? @COND|{_LOOKS}",
        "=do|could|might|may|can =i|we|he|she =have|has|got @COND|@SYMPT|something|cancer|an|a",
        "=am =i @COND|diabetic|anaemic|anemic|pregnant|allergic|prediabetic|dehydrated|depressed",
        "=what =is|'s|s =wrong =with",
        "=whats =wrong =with",
        f"=what =is|'s|s|are =this|these|that _? _? {_SIGHT}",
        f"=whats =this|these|that _? _? {_SIGHT}",
        "=should|do|must|would =i|we|he|she =be|get|feel _? =worried|concerned|scared|worry|concern|afraid|panicking",
        "=should|do =i =worry|panic",
        "=why =do|does|am|is|did|have =i|my|he|she|his|her _? _? _? =keep|always|get|getting|have|feel|hurt|hurts|ache|aches|itch|itches|bleed|bleeds|swell|swelling",
        f"=do|does|will|would =i|he|she|my|we _? _? =need =an|a|some|any? {_NEEDS}",
        "=i =think|reckon|believe|suspect =i|he|she|my|it|this _? _? =have|has|got|might|may|is|be _? _? @COND|cancer|infection|infected|broken|fractured|allergic|gout|=a|an",
        "=does =this|that|it =sound|look =like",
        "=what =should =i =take",
        "=what =happens =now|next",
        "=is|could =it|that =serious|cancer|infected|broken|something|worrying|concerning|contagious|cancerous|melanoma|shingles|eczema|psoriasis",
        "=is|could =it|that =a|an? @COND",
        "=need|needs =to =see|be =someone|anyone|a|the|seen",
        "=what =now",
        "=too =high|low|much|big|small|fast|slow =for =me|him|her|my|a",
        "=normal =for =me|him|her|my",
        # "what could be causing it", "whats causing my ...": the cause of the patient's own symptom.
        "=what|whats|wats =could|might|is|'s|s? =be? =causing|cause =it|this|that|my|his|her|them",
        # "is it hay fever or sinusitis": choosing between diagnoses for the patient.
        # Not "is it flu or a cold": that one the flu_or_cold FAQ answers.
        "=is|could =it|this|that _? _? _? =or _? _? =sinusitis|polyps|strep|ibs|lyme|ringworm|shingles|cancer|allergic|serious",
        "=is =he|she|my|it =allergic|diabetic|anaemic|anemic|infected|contagious",
        # "should i still get the next one", "should i be getting paxlovid": a judgement on their case.
        "=should =i|he|she|we =still =get|have|take|go",
        "=should =i|he|she|we =be =getting|taking|having|on",
        "=is =it|that|this =ok|okay|safe|fine|alright|normal =for =me|him|her|my|us",
        "=do|does =i|he|she|we =need =a|an? =different|longer|stronger|new|another",
    ),
    "ADMIN": (
        f"{_ADMIN}",
    ),
    # how-to questions about a medicine are general: "how do I use an inhaler"
    "GENERAL": (
        "=how =do|does|can|should|would|to =i|you|we|one? =use|take|give|apply|store|inject|administer",
    ),
}


class AdviceGuard:
    """Applies RULES to the pipeline's Doc; see the module docstring for the signals."""

    def __init__(self, nlp: Language) -> None:
        from bot.nlp.patterns import compile_rules
        from bot.nlp.pipeline import lemma_function, without_red_flags

        self._nlp = nlp
        self._parse = without_red_flags(nlp)
        self._matcher = Matcher(nlp.vocab, validate=True)
        lemma = lemma_function(nlp)
        for signal, rules in RULES.items():
            self._matcher.add(signal, compile_rules(rules, lemma))

    def signals(self, text: str) -> set[str]:
        """The signals found in a message (for tests and for explaining a decision)."""
        return self.signals_in(self._parse(text or ""))

    def signals_in(self, doc: Doc) -> set[str]:
        """The signals in a Doc the pipeline made (with or without its red-flag spans)."""
        return {self._nlp.vocab.strings[match_id] for match_id, _, _ in self._matcher(doc)}

    def needs_clinician(self, text: str) -> bool:
        signals = self.signals(text)
        if signals & {"RESULT", "DOSE", "DIAGNOSIS"}:
            return True
        return "TAKE" in signals and not signals & {"ADMIN", "GENERAL"}


@functools.lru_cache(maxsize=4)
def _guard_for(path: Path) -> AdviceGuard:
    from bot.nlp.pipeline import load_pipeline

    return AdviceGuard(load_pipeline(path))


def get_advice_guard(pipeline_dir: Path | None = None) -> AdviceGuard:
    """The shared guard for the built pipeline (raises PipelineNotBuiltError if it is missing)."""
    from bot import paths

    return _guard_for(Path(pipeline_dir or paths.NLP_PIPELINE_DIR).resolve())


def needs_clinician_judgement(text: str) -> bool:
    """True when answering would mean judging the patient's own case: diagnosis, doses, own results."""
    decision = get_advice_guard().needs_clinician(text)
    if decision:
        logger.debug("Advice guard: clinician judgement needed")
    return decision
