"""Red-flag rules: what a message must say for each emergency category.

Plain data in the notation of bot.nlp.patterns (lemma-based, "_" is one filler
word that is not a negation, "x?" optional, "=word" exact, "@MACRO" see
MACROS). The pipeline build compiles them into a span ruler, so changing a
rule here makes the saved pipeline stale until `patientbot nlp build` runs
(load_pipeline refuses a stale build rather than silently using old rules).

Four kinds of rule:
* DIRECT[category]: one phrase is enough ("face is drooping").
* CONCEPTS + COMBINATIONS: a category that needs two things in the same
  message, each affirmed and current ("6 weeks old" + "fever of 38.5").
* CONCEPTS + FALLBACKS: generic signs (collapse, blue lips, lost speech) that
  raise a category only when nothing more specific is flagged, so "fitting and
  not responding" gets seizure guidance, not heart-attack guidance.
* EXCLUSIONS[label]: phrases that look like a match but are not ("heat
  stroke", "food poisoning"); a span of that label overlapping one is dropped.

Whether a match counts (negated, hypothetical, historical, somebody else) is
decided afterwards by ConText (bot.safety.context_rules).
Write words in every form the lemma table might not know ("die|dying").
"""

from __future__ import annotations


def _slots(phrases: str) -> tuple[str, ...]:
    """Comma-separated phrases as one rule fragment per phrase length, alternatives per position.

    "rat poison, laundry pod, bleach" -> ("bleach", "rat|laundry poison|pod"). Far fewer
    patterns than one per phrase (matching cost grows with the number of patterns);
    the cross-combinations it also accepts ("rat pod") are harmless.
    """
    by_length: dict[int, list[list[str]]] = {}
    for phrase in phrases.split(","):
        words = phrase.split()
        if words:
            by_length.setdefault(len(words), []).append(words)
    fragments = []
    for length in sorted(by_length):
        columns = [sorted({words[i] for words in by_length[length]}) for i in range(length)]
        fragments.append(" ".join("|".join(column) for column in columns))
    return tuple(fragments)


# ---------------------------------------------------------------- shared bits
_CHEST_FEELING = (
    "pain|pains|ache|aches|pressure|tightness|heaviness|discomfort|squeezing|crushing|"
    "tight|tighten|tightening|heavy|crush|squeeze|hurt|hurts|hurting|aching|agony|fire|burning|"
    "stabbing|kill|killing|burst|bursting|explode|exploding|clench|clenching|band|vice"
)
_PILLS = (
    "pill|pills|tablet|tablets|tab|tabs|capsule|capsules|caps|paracetamol|tylenol|"
    "acetaminophen|ibuprofen|advil|aspirin|xanax|valium|diazepam|sleeping|benadryl|oxy|"
    "oxycodone|codeine|tramadol|percocet|vicodin|painkiller|painkillers|meds|medication|"
    "medications|medicine|antidepressants|sertraline|citalopram|fluoxetine|lithium|"
    "insulin|benzos|opioids|zopiclone|ambien|gummies|edibles|them|it"
)
# Not "those": its lemma is "that", which then matched "is that normal" ("my baby keeps
# getting hiccups after feeds, is that normal" read as a child who got into something).
_POISONS = (
    "bleach, antifreeze, detergent, laundry pod, laundry pods, tide pod, tide pods, "
    "dishwasher tablet, dishwasher tablets, rat poison, poison, weedkiller, weed killer, "
    "pesticide, insecticide, drain cleaner, oven cleaner, toilet cleaner, cleaning product, "
    "cleaning fluid, cleaning spray, disinfectant, lysol, dettol, ammonia, button battery, "
    "button batteries, battery, batteries, magnets, washing up liquid, washing liquid, dish soap, "
    "dishwasher liquid, fabric softener, window cleaner, floor cleaner, surface cleaner, mouthwash, "
    "perfume, aftershave, glue, paint thinner, solvent, white vinegar essence, descaler, caustic soda, "
    "lye, weed spray, slug pellets, rat bait, antifreeze, lighter fluid, petrol, gasoline, "
    "kerosene, paraffin, white spirit, nail polish remover, acetone, mothballs, "
    "essential oil, hand sanitiser, hand sanitizer, wild mushrooms, poisonous mushrooms, "
    "magic mushrooms, poisonous berries, berries from the garden, iron tablets, "
    "vape liquid, vape juice, chemicals, chemical"
)
_INGEST = "drink|drank|drunk|drinking|swallow|swallowed|swallowing|eat|ate|eaten|eating|ingest|ingested|lick|licked|chew|chewed|sip|sipped|inhale|inhaled|take|took|taken"

DIRECT: dict[str, tuple[str, ...]] = {
    # ---------------------------------------------------------- heart_attack
    "heart_attack": (
        "heart|hart attack|attacks",
        "=heartattack",
        "cardiac arrest",
        "heart _? stop|stopped|stopping beat|beating?",
        "@NOT pulse|heartbeat",
        "@CANT find|feel|get _? pulse|heartbeat",
        "do|doing|start|started|give|giving|perform|performing|need =cpr|compressions",
        f"chest|breastbone|sternum _? _? _? _? {_CHEST_FEELING}",
        f"{_CHEST_FEELING} _? _? _? breastbone|sternum",
        "heart _? _? hurt|hurts|hurting|ache|aching|pain|squeeze|squeezing",
        "pain|pains _? _? in|around @POSS? heart",
        "squeeze|squeezing|crushing|crush|grip|gripping|clench|clenching|stab|stabbing @POSS heart",
        f"{_CHEST_FEELING}|weight|elephant|feeling|sensation _? _? in|on|across|around|behind|through|over|into @POSS? chest|chests",
        "tight|heavy|crushing|squeezing|stabbing|severe|sharp|central chest",
        f"{_CHEST_FEELING}|weight|feeling|sensation _? _? in|on|across|around|behind|through|over the middle|centre|center|left|right|side|top of @POSS? chest|chests",
        "clutch|clutching|clutched|grab|grabbing|grabbed|hold|holding|gripping|grip @POSS? chest|chests",
        "pain|pains|ache|tingling|tingle|numbness|pressure|hurt|hurting _? _? spread|spreads|spreading|radiate|radiates|radiating|shoot|shooting|go|going|move|moving|travel|travelling|traveling _? down|to|into|up|through @POSS? =left|right? arm|arms|jaw|neck|shoulder|back",
    ),
    # ---------------------------------------------------------------- stroke
    "stroke": (
        "stroke|strokes",
        "face|mouth|smile|lip|lips _? _? _? droop|drooping|droopy|drooped|drop|dropping|dropped|sag|sagging|saggy|sagged|slump|slumped|lopsided|crooked|uneven|twisted|numb|numbness|paralysed|paralyzed|frozen|fallen",
        "droop|drooping|droopy|drooped|sagging|lopsided|crooked|numb|paralysed|paralyzed face|mouth|smile",
        "one|1|half side|half _? _? _? face|body|mouth _? _? droop|drooping|drop|dropping|dropped|sag|sagging|numb|weak|paralysed|paralyzed|dead|limp|floppy|gone|down",
        "=left|right|one side _? _? _? _? weak|numb|paralysed|paralyzed|limp|floppy|dead|weakness|numbness",
        "=left|right|one arm|leg|hand|foot|side _? _? _? weak|numb|paralysed|paralyzed|limp|floppy|dead|useless",
        "weak|numb|weakness|numbness|paralysed|paralyzed|tingly _? _? on|down =one|left|right|his|her|my side",
        "@CANT lift|raise|move|feel|use|grip _? @POSS? =left|right|one? arm|arms|leg|legs|hand|side",
        "arm|leg|hand|side _? _? suddenly? =went|gone|go|goes|going =numb|limp|floppy|dead|weak|heavy",
        "sudden|suddenly _? weak|numb|weakness|numbness|paralysed|paralyzed|blind|blindness",
        "sudden|suddenly _? _? loss|lost of? vision|sight|balance|speech",
        "lose|lost|losing _? vision|sight|eyesight _? _? _? eye",
        "@CANT see _? _? one eye",
        "go|went|gone|going =blind",
        "slur|slurred|slurring|slurry|slurr",
        "speech _? _? slur|slurred|slurring|garbled|jumbled|weird|strange|funny|odd|muddled|gibberish|off|wrong|affected|messed",
        "@CANT speak|talk|get|say|form|find _? _? properly|clearly|right|normally|words|word|out",
        "@CANT form|make _? sentences|sentence",
        "dribble|dribbling|drool|drooling _? _? _? =one|left|right side",
        "see|seeing double",
        "sudden|suddenly _? _? double|blurred|blurry vision",
        "=left|right|one arm|leg|hand|foot|side _? _? _? @NOT work|working|move|moving|respond|responding",
        "sudden|suddenly @CANT walk|stand|speak|talk|see|understand|move",
        "@CANT hold|keep @POSS? arm|arms|head up",
        "lose|lost|losing _? use of @POSS? =left|right|one? arm|leg|hand|side|face",
        "arm|leg|hand|foot|face _? _? _? @NOT work|working|move|moving",
        "paralysed|paralyzed|paralysis",
        "smile|face _? _? _? uneven",
        "smile|face _? _? _? =one =-? =sided",
        "words _? _? come|coming|came|be out? _? _? wrong|jumbled|mixed|garbled|muddled|funny|weird|backwards",
        "worst headache _? _? _? life|ever",
        "thunderclap headache|headaches",
        "sudden|suddenly _? severe|excruciating|blinding|explosive|splitting headache",
        "headache _? _? like _? _? hit|hammer|explosion|exploding|bomb",
    ),
    # -------------------------------------------------- breathing_difficulty
    "breathing_difficulty": (
        "stridor",
        "whistling|squeaking|squeaky|crowing|rasping|high =-? pitched noise|sound _? _? _? _? _? breathe|breathing",
        "drool|drooling _? _? _? @NOT|@CANT lie|swallow",
        "@CANT breathe|breath|breathing|breth|brethe|breate|breahte|breathin",
        "@CANT catch|get|take _? _? breath|breathe|air",
        "can|could|cant|ca hardly|barely breathe|breath|breathing",
        "=hardly|barely breathing",
        "can|could|cant|ca hardly|barely get|catch|take|draw _? breath|air",
        "hard|difficult|difficulty|difficulties|struggling|struggle|struggles|trouble|fight|fighting|battle|battling|labour|labor|laboured|labored|strain|straining|work|working _? _? to? breathe|breath|breathing|air",
        "breathing _? _? laboured|labored|difficult|strained|shallow|raspy|noisy|rattly|rattling",
        "gasp|gasping|gasped",
        "very|really|so|extremely|severely|badly|super|terribly|seriously|suddenly|sudden|severe|massively|dangerously short|shortness of breath",
        "short|shortness of breath _? _? at|while|when|even|just? rest|resting|sitting|lying|talking|speaking",
        "out of breath _? _? just|even? sitting|resting|lying|talking",
        "breathless|breathlessness _? _? at|while|when|even|just? rest|sitting|lying|talking",
        "so|very|really|too|extremely|severely breathless",
        "breathless|breath _? _? @CANT talk|speak",
        "@NOT breathe|breathing|breath",
        "stop|stopped|stops|stopping breathing|breathe",
        "choke|choking|choked",
        "wheeze|wheezing|wheezy _? _? badly|bad|loud|loudly|terribly|lot",
        "inhaler|inhalers|puffer|ventolin|salbutamol|nebuliser|nebulizer _? _? _? @NOT work|working|help|helping|doing|touching",
        "asthma attack|attacks",
        "suffocate|suffocating|suffocated|smother|smothering",
        "@CANT get _? enough air|breath|oxygen",
        "breathing _? _? weird|funny|strange|odd|wrong|noisy|gasping|grunting",
        "grunt|grunting _? _? breathe|breathing|breath",
        "breathe|breathing _? _? _? =grunting|grunts|grunt",
        "@CANT finish|complete|say|speak|talk _? _? full|whole|complete|a|my? sentence|sentences",
        "rib|ribs _? _? suck|sucking|pull|pulling in",
        "suck|sucking|pull|pulling in _? _? under? @POSS? rib|ribs",
        "drown|drowning|drowned",
        "throat _? _? close|closing|closed",
        "airway|airways _? _? block|blocked|close|closing|swell|swelling|swollen",
    ),
    # ------------------------------------------------------- severe_bleeding
    "severe_bleeding": (
        # learned from batch_06
        "bone|bones _? _? _? sticking|poking|sticks|pokes|coming|came|come out|through",
        "mouthful|mouthfuls|cupful|cupfuls|handful|handfuls _? _? _? blood",
        "spit|spitting|cough|coughing|vomit|vomiting|throw|throwing _? _? _? _? bright red blood",
        "tonsil|tonsils|tonsillectomy|operation|surgery|op|stitches _? _? _? _? _? _? _? _? bright red blood|bleeding",
        "bleed|bleeding|bleedin|bleading|blood _? _? heavily|heavy|badly|loads|lots|lot|alot|profusely|everywhere|uncontrollably|uncontrollable|nonstop|excessively|crazy|much",
        "bleed|bleeding|bleedin _? non =-? stop",
        "heavy|heavily|severe|massive|major|uncontrolled|uncontrollable|serious|profuse|terrible bleed|bleeding|blood|haemorrhage|hemorrhage",
        "@NOT stop|stopping|stopped _? _? bleed|bleeding|bleedin",
        "bleed|bleeding|bleedin|blood|nosebleed|nose|cut|wound|gash _? _? _? @NOT stop|stopping|stopped|stops|slowing|slow|clot|clotting",
        "blood _? _? _? everywhere|spurting|squirting|pouring|gushing|pumping|streaming|soaking|soaked",
        "spurt|spurting|squirt|squirting|pour|pouring|gush|gushing|pump|pumping _? blood",
        "lose|lost|losing _? lot|much|loads|lots|tons|litre|liter|pint of? blood",
        "pool|puddle|pools of blood",
        "=a? lot|lots|loads|tons|load|much|litres|liters|pints of blood _? _? coming|pouring|gushing|spurting|pumping|squirting|everywhere|from|out|in",
        "lose|lost|losing|losin _? _? lot|lots|loads|tons|load|much|litres|liters|pints of blood",
        "bleed|bleeding|bled|blood _? _? through _? _? bandage|bandages|dressing|dressings|towel|towels|gauze|clothes|pad|plaster",
        "bleed|bleeding out",
        "soak|soaked|soaking _? _? through? _? towel|towels|bandage|bandages|dressing|clothes|shirt|sheets|bed",
        "haemorrhage|hemorrhage|haemorrhaging|hemorrhaging|haemorrhaged|hemorrhaged",
        "vomit|vomiting|puke|puking|throw|throwing|cough|coughing|spit|spitting|bring|bringing _? up? _? _? blood|bloody",
        "blood in _? vomit|sick|puke",
        "vomit|vomiting|vomited|sick|throw|throwing|threw|puke|puking|poo|poop|stool|stools _? _? _? _? _? coffee =grounds|ground",
        "cut|cuts|slice|sliced|slit|slash|slashed|severed|sever _? _? artery|arteries|vein|veins|wrist|wrists|throat",
        "cut|chop|chopped|slice|sliced _? _? finger|thumb|toe|hand|fingertip off",
        "be|been|get|got|was|were|is|'s|s stab|stabbed|shot",
        "stab|gunshot wound|wounds",
        "=gunshot",
    ),
    # ----------------------------------------------------------- anaphylaxis
    "anaphylaxis": (
        "anaphylaxis|anaphylactic|anaphalaxis|anaphylaxsis|anaphylatic|anafylaxis|anaphylaxis",
        "throat _? _? _? _? close|closing|closed|swell|swelling|swollen|tight|tighten|tightening|constrict|constricting",
        "tongue|tounge|throat _? _? _? _? _? smaller|narrow|narrowing|shrinking|closing|swell|swelling|swollen|puff|puffing|puffy|huge|balloon|ballooning|big|bigger|thick|thicker|enlarged|massive",
        "swollen|swelling tongue|tounge|throat",
        "use|used|using|give|gave|given|giving|inject|injected|jab|jabbed|administer|administered _? _? _? epipen|epipens|adrenaline|epinephrine",
        "use|used|using|give|gave|given|giving|inject|injected|jab|jabbed _? _? _? epi =-? pen|pens",
        "epipen|epipens _? _? _? @NOT work|working|help|helping",
        "allergic reaction _? _? _? @CANT breathe|breath|swallow",
        "swell|swelling|swollen|puffing _? _? _? @CANT swallow|breathe|breath",
        "@CANT swallow|breathe _? _? _? _? swell|swelling|swollen",
    ),
    # ----------------------------------------------------- suicide_self_harm
    "suicide_self_harm": (
        "=in|inside =the|my|a =car _? _? _? garage _? _? _? engine _? running|on",
        "garage _? _? _? engine _? running|on",
        "hose|hosepipe _? _? exhaust",
        # learned from batch_06
        "cut|cutting|cuts _? _? deeper|deep _? _? _? _? meant|intended|planned|wanted",
        # learned from batch_05: "my best friend just sent me a goodbye message"
        "send|sent|sending|leave|left|post|posted =me|us|her|him|everyone? =a? goodbye|farewell message|messages|text|texts|note|letter|video|post|voicemail",
        "take|taking|took|swallow|swallowing =the =lot",
        "kill|killing|killed|end|ending|hang|hanging|drown|drowning|shoot|shooting|poison|poisoning|unalive|unaliving @REFLEXIVE",
        "kill|hurt|harm|cut @POSS =self",
        "=cutting|burning|harming|starving|hitting @REFLEXIVE",
        "want|wanted|wanna|going|gonna|gon|thinking|thought|thoughts|urge|urges|feel|feeling|plan|planning|might|will|tempted|need|needing _? _? _? hurt|harm|cut|burn|punish @REFLEXIVE",
        "cut|burn|hurt|harm @REFLEXIVE on purpose|deliberately|intentionally",
        "end|ending|take|taking|took _? @POSS? own? life|lives",
        "end|ending it all",
        "want|wanna|gonna|going|gon|ready|plan|planning|thinking|decided|decide|feel|feeling|like|considering|tempted|urge|to _? _? _? end|ending it|things|everything|myself",
        "=end|ending everything",
        "@NOT see _? point|reason|purpose _? _? living|live|life|going|anything|existing|being",
        "=what's|whats|what =the point _? _? living|life|going|existing|being alive",
        "life|living _? _? @NOT worth _? living|it",
        "=not worth living",
        "sleep _? _? =never|not wake|waking",
        "=never wake|waking up again",
        "tired|sick of living|life|being alive",
        "=done|finished with life|living",
        "rather be dead|die",
        "@CANT live|living _? _? _? =anymore|any|longer|like",
        "give|giving up on life|living",
        "end|ending @POSS? pain|suffering",
        "=slit|cut @POSS? wrist|wrists|throat",
        "suicide|goodbye note|letter",
        "write|writing|wrote _? goodbye",
        "=sewer =slide",
        "going|gonna|gon|plan|planning|will|'ll|ready|about _? _? take|swallow|down all|every _? @POSS? _? pill|pills|tablets|tablet|meds|medication|medicine",
        "pill|pills|tablets|rope|knife|gun|blade|razor|noose _? _? ready|lined|saved|stockpiled|stockpiling|collected|sorted",
        "stockpile|stockpiling|stockpiled|hoard|hoarding _? _? pill|pills|tablets|meds",
        "happier|better|easier|relieved|free _? _? _? _? if @SOMEONE _? _? dead|gone|die|died|wasnt|weren't|not",
        "want|wanna|wish _? _? _? =not exist|existing|be|live|wake|here|alive|around",
        "feel|feeling|felt like =dying|ending|killing|disappearing",
        "suicidal|suicidle|sucidal|suicidial|suicdal|suisidal",
        "commit|committing|attempt|attempted|attempting|think|thinking|thought|thoughts|consider|considering|contemplate|contemplating|plan|planning|try|trying _? _? suicide|suicde|sucide",
        "suicide|suicde|sucide attempt|note|plan|thoughts|thought",
        "=kms",
        "want|wanted|wanna|wish|wishing|ready|trying|hope|hoping|pray|praying _? _? _? _? die|dying|dead",
        "want|wanted|wanna _? _? disappear",
        "better off dead|gone",
        "better off without =me|us",
        "@NOT want|wanna _? _? live|living|alive|exist|existing|wake",
        "@NOT want|wanna _? _? be here|around =anymore|any|longer",
        "no|nothing reason|point|purpose _? _? _? live|living|life|alive|on",
        "=nothing to live for",
        "@CANT go on|carry",
        "@CANT take|do|cope|handle _? _? =anymore|any|longer",
        "=self =-? harm|harming|harmed|injury|injuring|injure",
        "=selfharm|selfharming",
        "jump|jumping|throw|throwing|step|stepping _? _? off|in|from _? _? _? bridge|building|roof|train|cliff|balcony|window|tracks|traffic",
        "throw|throwing|threw @REFLEXIVE",
        "stand|standing|stood|sit|sitting|sat on|at _? _? edge? _? bridge|ledge|roof|rooftop|cliff|tracks|railway|parapet",
        "thoughts|thought|thinking _? _? of|about _? dying|death|ending|killing|suicide",
        "=nobody|noone would|will|wd _? care|notice|miss",
        "=no =one would|will _? care|notice|miss",
        "overdose|od _? on purpose",
        "want|wanna|going|gonna|gon|plan|planning|thinking|ready|about|decided|will _? _? overdose|od",
    ),
    # ---------------------------------------------------- overdose_poisoning
    "overdose_poisoning": (
        "carbon monoxide",
        "take|taken|took|swallow|swallowed _? _? whole|entire _? _? _? worth|box|packet|pack|bottle|strip",
        "dosette|pill|blister box|pack|organiser|organizer _? _? _? empty",
        "gas|fume|fumes leak|poisoning",
        "gas|paraffin|kerosene|charcoal heater|stove|bbq|barbecue _? _? closed|shut|small|enclosed|sealed",
        "=overdosed|overdosing|overdoes|overdosin",
        "take|took|taken|taking|had|having|has|have|an|accidental|accidentally|intentional|deliberate|possible|drug|massive|huge overdose|overdoses",
        "overdose on",
        "=od|od'd|oded|o.d.|o.d|odd'd",
        f"take|took|taken|taking|swallow|swallowed|eat|ate|down|downed|pop|popped|drink|drank|have|had|chug|chugged|neck|necked|inject|injected _? _? @BIGNUM _? _? _? _? _? {_PILLS}",
        f"take|took|taken|swallow|swallowed|eat|ate|down|downed|pop|popped|drink|drank|empty|emptied _? _? whole|entire|full|rest _? _? _? bottle|bottles|packet|packets|pack|packs|box|boxes|strip|strips|blister|jar|tub|container|sheet|{_PILLS}",
        f"take|took|taken|swallow|swallowed|pop|popped|down|downed all @POSS? _? {_PILLS}",
        f"take|took|taken|swallow|swallowed|pop|popped|down|downed|drink|drank|eat|ate|have|had|inject|injected _? too many|much _? _? _? {_PILLS}|heroin|fentanyl|cocaine|coke|meth|ketamine|mdma",
        f"take|took|taken|swallow|swallowed|pop|popped|down|downed|eat|ate|inject|injected _? lot|handful|bunch|load|loads|lots|fistful|heap|pile|stack|bag _? _? _? {_PILLS}",
        f"@BIGNUM _? _? {_PILLS} _? _? _? ago|overnight|earlier|tonight|today",
        "take|took|taken|taking|swallow|swallowed|eat|ate|down|downed|pop|popped|have|had|chug|chugged|neck|necked _? _? @BIGNUM _? _? @DRUG",
        "take|took|taken|swallow|swallowed|pop|popped a handful|fistful",
        *(f"{_INGEST} _? _? _? _? _? {fragment}" for fragment in _slots(_POISONS)),
        "get|got|gotten|getting into _? _? _? medicine|medicines|meds|pills|tablets|cabinet|cleaning|bleach|chemicals|cupboard",
        "poison|poisoned|poisoning",
        "carbon monoxide",
        "=co alarm|detector _? _? going|gone|beeping|off",
        "give|gave|given|giving|need|needed|use|used|inject|injected _? _? naloxone|narcan",
        "mix|mixed|mixing|take|took|taken|combine|combined _? _? alcohol|drink|drinks|booze|wine|vodka|beer|drinking _? with|and _? _? _? pills|xanax|valium|sleeping|painkillers|benzos|opioids|oxy|tablets|meds|diazepam",
        "too much heroin|fentanyl|cocaine|coke|meth|ketamine|mdma|methadone|morphine",
    ),
    # --------------------------------------------------------------- seizure
    "seizure": (
        "seizure|seizures|siezure|siezures|seisure|seizur|ceasure|seazure",
        "convulsion|convulsions|convulse|convulsing|convulsed|convulsin",
        "=seizing|seizeing|siezing",
        "epileptic|epilepsy fit|fits|attack|episode",
        "have|having|had|has|havin a? fit|fits",
        "have|having|has|had _? _? _? =fits|seizures|convulsions",
        "=is|s|'s|are|was|started|start|keep|keeps|been|shes|hes =fitting",
        "whole body _? _? shake|shaking|jerk|jerking|convulse|convulsing|twitch|twitching|stiff",
        "jerk|jerking|shake|shaking|twitch|twitching _? _? _? @NOT respond|responding|responsive",
        "jerk|jerking|shake|shaking|twitch|twitching|stiff _? _? and? unresponsive|unconscious|floppy",
        "eyes _? _? roll|rolled|rolling back|up?",
        "stiff|rigid _? _? _? jerk|jerking|shake|shaking|twitch|twitching|convulse|convulsing",
        "=collapsed|collapsing|fell|dropped _? _? _? shake|shaking|jerk|jerking|twitch|twitching|convulse|convulsing|fit|fitting",
        "shake|shaking|jerk|jerking|twitch|twitching|convulse|convulsing all over",
        "arm|arms|leg|legs|limb|limbs _? _? _? =are|is|were|was|keep|kept|started|start =jerking|convulsing|thrashing|jerk",
        "foam|foaming|froth|frothing at the? mouth",
        # learned from batch_05: the signs left after a fit
        "bite|bit|bitten|biting @POSS? tongue _? _? _? _? wet|weed|peed|wee|soiled",
        "tongue bite|bit|bitten _? _? _? _? _? wet|weed|peed|wee|soiled",
        "shake|shaking|fit|fitting|jerk|jerking|convulse|convulsing|seize|seizing _? _? for over|more than _? five|5|ten|10|six|seven minute|minutes|mins",
        "on the floor|ground _? _? jerk|jerking|shake|shaking|convulse|convulsing|twitch|twitching|fit|fitting|thrash|thrashing",
        "jerk|jerking|shake|shaking|convulse|convulsing|thrash|thrashing|fit|fitting _? _? on the floor|ground",
    ),
    # ------------------------------------------------------------ head_injury
    "head_injury": (
        # learned from batch_06
        "hit|knocked|run over|knock|mown down|struck _? by a|an? car|bus|van|truck|lorry|motorbike|motorcycle|train|tram",
        "fall|fell|fallen|jumped|jump _? off|from _? _? _? _? balcony|roof|ladder|window|scaffolding|cliff|bridge|height|storey|floor",
        "knock|knocked|knocking out|unconscious|cold",
        "skull fracture|fractured",
        "fracture|fractured|crack|cracked|broke|broken _? skull",
        "crack|cracked|split|splitting _? head open",
    ),
    # ----------------------------------------------------- pregnancy_emergency
    "pregnancy_emergency": (
        "ectopic",
        "miscarriage|miscarriages|miscarrying|miscarry|miscarried",
        "water|waters _? _? _? break|broke|broken|breaking|burst|gone|went|going",
        "@NOT feel|felt|had|noticed|noticing|feeling _? _? kick|kicks|movement|movements|move|moving",
        "=not|n't|nt _? moving|kicking|move|kick =as =much|often|many|usual|normal",
        "move|moving|kick|kicking _? =less|fewer _? _? usual|normal|before",
        "reduced|decreased|less|fewer|no|slower fetal|foetal|fetus|baby movement|movements|kicks",
        "@NOT feel|felt _? baby _? move|moving|kick|kicking",
        "placental? abruption",
        "cord prolapse|prolapsed",
        "preeclampsia|eclampsia",
        "pre =-? eclampsia",
    ),
    # ----------------------------------------------------------------- sepsis
    "sepsis": (
        "sepsis|septic|septicaemia|septicemia|septicimia|sepsys",
        "blood poisoning",
        "rash|spots _? _? _? @NOT fade|fading|blanch|blanching|disappear|disappearing",
        "non =-? blanching|blanch rash|spots",
        "nonblanching rash|spots",
        "glass|tumbler test",
        "pinprick|purple|purplish rash|spots|dots",
    ),
    # ---------------------------------------------------------- hypoglycaemia
    "hypoglycaemia": (
        "hypo|hypos|hypoglycaemia|hypoglycemia|hypoglycaemic|hypoglycemic|hypoglycemia",
        "blood? sugar|sugars|glucose|bg|bm _? _? _? _? low|dropping|dropped|drop|crashing|crashed|crash|plummeting|plummeted|tanking|tanked",
        "low|dropping|crashing blood? sugar|sugars|glucose",
        "sugar|sugars|glucose|bg|bm|reading|readings _? _? _? @SUGAR_LOW",
    ),
    # ----------------------------------------------------- severe_dehydration
    "severe_dehydration": (
        "severe|severely|very|really|extremely|badly|seriously|dangerously _? dehydrated|dehydration",
    ),
    # ---------------------------------------------------------- infant_unwell
    "infant_unwell": (
        "baby|newborn|infant _? _? _? _? _? _? _? blue spell|spells|episodes",
        "soft spot|fontanelle|fontanel _? _? _? _? _? sunken|sunk|dipped|dip|caved",
    ),
    # ----------------------------------------------------- sudden_severe_pain
    "sudden_severe_pain": (
        "testicular|testicle|testes|testis torsion",
        "leg|arm|foot|hand _? suddenly? =went|gone|go|going|turned|is _? cold|white|pale _? _? _? painful|numb|blue",
        "twist|twisted|twisting testicle|testicles|testis|ball|balls",
        "torsion",
        "pain _? _? _? _? like nothing @SOMEONE _? ever felt|had",
        "worst pain|stomach|belly|tummy|abdominal _? _? _? _? @POSS? life|ever",
        "sudden|suddenly _? _? severe|agonising|agonizing|excruciating|unbearable|horrendous|terrible|horrible|intense _? _? _? pain|stomach|belly|abdominal|tummy|groin|side",
        "pain|pains _? _? _? _? _? _? suddenly|sudden _? _? _? unbearable|excruciating|agonising|agonizing",
        "excruciating|agonising|agonizing|unbearable pain|pains _? _? _? _? _? _? side|belly|stomach|tummy|abdomen|groin",
    ),
    # -------------------------------------------------------- sexual_assault
    "sexual_assault": (
        "rape|raped|raping|rapist",
        "sexually assault|assaulted|assaulting|abuse|abused|attack|attacked|molest|molested|touched",
        "sexual assault|abuse|attack",
        "assault|assaulted|abuse|abused|attack|attacked _? _? sexually",
        "molest|molested|molesting",
        "force|forced|forcing|forces @SOMEONE|me|her|him _? _? _? to? have|into _? sex",
        "force|forced|forcing himself|herself|themselves on|onto =me|her|him",
        "drug|drugged|spike|spiked _? _? _? _? assault|assaulted|raped|abused|clothes|undressed",
        "sex _? _? _? _? =without @POSS? consent",
        "put|slip|slipped|spike|spiked something|anything|drugs|pill|stuff _? _? _? drink",
        "touch|touched|touching|grab|grabbed|groped|grope _? _? _? private|privates|genitals|breasts|crotch|vagina|penis",
        "private parts",
        # learned from batch_06
        "@NOT take no for an answer",
        "say|said|told|tell|keep|kept saying? no _? _? _? _? _? @NOT stop|listen|care",
        "do|did|done something|stuff|things to =her|him|me",
        # learned from batch_05
        "do|did|done|doing things|stuff to =me|her|him _? _? _? @NOT want|wanted|consent|agree|like",
    ),
    # ------------------------------------------------------- violence_danger
    "violence_danger": (
        "threaten|threatening|threatened|threatens _? _? _? _? kill|hurt|stab|shoot|murder|beat|strangle|attack",
        "threaten|threatening|threatened|threatens =me|us|her|him|my _? _? with _? _? knife|gun|bat|weapon|axe|hammer",
        "=he|she|they|husband|partner|boyfriend|bf|girlfriend|gf|wife|ex|man|guy|men|someone|somebody|dad|father|stepdad|stepfather|brother|mum|mom|stepmum|uncle|neighbour|neighbor _? _? _? hit|hitting|hits|beat|beating|beats|punch|punching|punched|punches|strangle|strangling|strangled|strangles|choke|choking|choked|chokes|slap|slapping|slapped|attack|attacking|attacked|stab|stabbed|stabbing|kick|kicking|kicked =me|us|her|him|mum|mom|my",
        "be|being|get|getting|been|got =beat|beaten|attacked|stabbed|strangled|choked|shot|mugged|assaulted|kicked|punched|stamped",
        "scared|afraid|terrified|fear|fearing|frightened _? for @POSS life|lives|safety",
        "=he|she|they|hes|shes|husband|partner|boyfriend|bf|ex|man|guy|men|someone|somebody|dad|father|stepdad|brother|wife|girlfriend|gf|neighbour|neighbor|son|people _? _? _? _? try|trying|tried|tries|want|wants|going|gonna|gon|will|'ll|ll =to? kill|murder|strangle|stab|hurt =me|us|her|him",
        "pull|pulled|pulling|point|pointed|pointing|wave|waving|waved|holding|hold|grab|grabbed _? _? _? knife|gun|weapon|blade|machete",
        "knife|gun|blade _? to @POSS throat|head|neck",
        "break|breaking|broke|force|forcing|forced|try|trying|get|getting _? _? in|into =my|our|the|her house|flat|home|apartment|room|door|window",
        "=i|im|we|am|m|'m|are|feel|feeling _? @NOT safe =at|here|in|with|around|home",
        "=someone|somebody|man|guy|men|car|he|they|stranger _? _? _? follow|following|followed|stalk|stalking|stalked =me|us",
        "hide|hiding|hid _? _? _? in|inside the|a|my bathroom|bedroom|room|cupboard|closet|car",
        "smash|smashing|smashed _? things|everything|stuff",
        "domestic violence|abuse _? _? right? now|tonight|today",
        "shot|stabbed _? _? by",
        # learned from batch_06
        "=he|she|husband|partner|boyfriend|bf|ex|wife|girlfriend|gf|dad|father|stepdad|brother|son|they|man|guy _? _? _? _? _? _? finish|finishes|finishing =me|us|her|him =off?",
        # learned from batch_05: strangulation, wherever it is told
        "=hands|hand|arm|arms _? _? round|around @POSS neck|throat",
        "=squeeze|squeezed|squeezing|grab|grabbed|grabbing @POSS neck|throat",
    ),
    # ---------------------------------------------------------- severe_burn
    "severe_burn": (
        "=severe|serious|bad|badly|big|major|deep|huge|large|massive|nasty|terrible|awful|horrible|horrific =burn|burns|scald|scalds|burnt|burned|scalded",
        "=third|3rd|second|2nd|full =-? degree|thickness =burn|burns",
        "=burn|burns|burnt|burned|scald|scalded|scalds _? _? _? _? _? _? skin _? _? _? peel|peeling|peeled|coming|come|came|falling|white|black|charred|leathery|melted|raw",
        "=burn|burns|burnt|burned|scald|scalded _? _? _? _? _? blister|blisters|blistering|blistered",
        "hot|boiling oil|water|fat|soup|tea|coffee _? _? _? _? _? _? _? blister|blistering|blistered|peeling|peel",
        "mug|cup|kettle|pan|pot|bowl _? of? hot|boiling|scalding tea|coffee|water|soup|oil _? _? _? _? _? _? _? _? _? _? blister|blistering|blistered|peeling",
        "=burn|burns|burnt|burned|scald|scalded _? _? _? whole|entire|face|chest|genitals|eyes|eye|palm|airway",
        "=burn|burns|burnt|burned _? _? _? bigger|larger _? _? _? hand|palm",
        "boiling|scalding _? _? _? _? _? _? _? =burn|burnt|burned|scald|scalded|blister|blistering|blistered|skin",
        "=burn|burnt|burned|scald|scalded _? _? _? _? _? _? boiling|kettle",
        "catch|caught|set =on? fire|alight",
        "house|flat|kitchen fire",
        "skin _? _? _? _? _? white|charred|black _? leathery",
        "leathery|charred skin",
        # learned from batch_06
        "iron|hob|stove|oven|kettle|pan|radiator|fire|grill|heater _? _? _? _? _? _? skin _? _? white|grey|gray|charred|black|leathery",
        "blister|blisters _? _? all|whole|entire _? _? palm|hand|arm|face|chest|back|leg|foot",
        "=shock|shocked =off|from =the|a? fuse|plug|socket|wire|wires|mains|fusebox|cable|box|fence",
        "big|huge|large|massive blistered|blistering area|patch|patches",
        "chemical|acid|bleach|caustic _? _? _? _? splash|splashed|spill|spilled|spilt|thrown",
        "chemical =burn|burns",
        "splash|splashed|spill|spilled|spilt _? _? _? _? _? _? skin|eye|eyes|face _? _? _? burn|burning|white|blister|blistering",
        "get|got|had|gave|given|receive|received =an? electric|electrical shock|burn",
        "electric|electrical burn",
        "electrocute|electrocuted",
    ),
    # ----------------------------------------------------- sudden_confusion
    "sudden_confusion": (
        "sudden|suddenly|suddently _? _? _? _? confused|confusion|disoriented|disorientated|delirious|muddled|agitated",
        "confused|confusion|disoriented|disorientated|delirious|muddled _? _? _? suddenly|sudden",
        "confused|confusion|muddled|disoriented|disorientated _? since|all _? _? morning|today|lunch|yesterday|afternoon|night|sudden|hour|hours",
        "delirious|delirium",
        "@NOT|@CANT recognise|recognize|recognising|recognizing _? _? who|me|us|family|husband|wife|kids|children|anyone|anybody|people",
        "@NOT|@CANT _? know|remember|tell _? _? who =i|he|she|they|we|you =am|is|are|s|'s|'m|m|re|'re|was|were",
        "@NOT|@CANT _? know|remember|tell _? _? _? what =day|year|month =it|its",
        "@NOT|@CANT _? know|remember|tell _? where =i|he|she|they|we =am|is|are|s|'s|'m|m|re|'re",
        "@NOT know|remember _? _? own name",
        "=all =of =a =sudden _? _? _? _? _? confused|weird|strange|odd|muddled",
        "sudden|suddenly _? _? _? act|acting|behave|behaving|talk|talking _? _? strange|strangely|weird|weirdly|odd|oddly|nonsense|gibberish|drunk",
        "act|acting|behave|behaving _? _? _? strange|strangely|weird|weirdly|odd|oddly _? _? _? suddenly|sudden",
        "see|seeing|hear|hearing things|people|someone|faces|voices _? _? that|who? _? @NOT there",
        "@NOT|@CANT remember|know how =i|he|she|they|we =got|get|came|ended =here|there|home|up",
        "forget|forgetting where =i|he|she|they|we =am|is|are|s|'s|'m|m|re|'re",
        "=gone|become|became|becoming =all|very|really|so? muddled|confused",
        "talk|talking gibberish",
        # learned from batch_06
        "keep|keeps|kept asking|saying _? the same question|questions|thing|things",
        "pick|picking|grab|grabbing at the air",
        "sudden|suddenly @NOT making sense",
        "think|thinks|thought _? =it|its|'s|s|is @YEAR",
    ),
}

CONCEPTS: dict[str, tuple[str, ...]] = {
    # Signs that belong to several emergencies. Alone they raise the category in
    # FALLBACKS; next to a more specific flag ("fitting and not responding",
    # "took pills and won't wake up") they leave the guidance to that flag.
    "COLLAPSE": (
        "=collapsed|collapsing|collapses",
        "sudden|suddenly =collapse",
        "unconscious|unconcious|unconsious|unconsciuos|unresponsive|unresponsiv|lifeless",
        "@NOT answer|answering|answered|respond|responding|react|reacting",
        "@NOT open|opening _? eyes",
        "=has|have|'s|s|is|gone|went|go|going|gone =all? floppy|limp",
        "@NOT respond|responding|responsive|reacting",
        "=wo|will|won|is|isnt|are|was|s|'s @NOT wake|waking up?",
        "@CANT wake|rouse =him|her|them|mum|mom|dad|my|the|baby|grandma|grandpa|nan|up",
        "lose|lost|losing consciousness|conciousness|consciousnes",
        "pass|passed|passing out _? _? @NOT wake|waking|respond|responding|come|coming",
        "black|blacked|blacking out _? _? @NOT wake|waking|respond|responding",
    ),
    "SPEECH_LOSS": (
        "talk|talking|speak|speaking _? _? funny|weird|weirdly|strange|strangely|gibberish|nonsense|jumbled|wrong|oddly",
        "@CANT speak|talk|understand|smile",
        "@NOT make|making sense",
    ),
    "CYANOSIS": (
        "lips|lip|face|fingers|fingertips|mouth|tongue|nails|skin _? _? _? blue|bluish|blueish|grey|gray|purple|dusky",
        "blue|bluish|blueish|grey|gray|purple lips|lip|face|fingertips|tongue",
        "turn|turning|turned|go|going|gone|went =blue|grey|gray|purple",
    ),
    # collapsed and not breathing: cardiac arrest (CPR), not an asthma attack
    "APNOEA": (
        "@NOT breathe|breathing|breath",
        "stop|stopped|stops|stopping breathing|breathe",
    ),
    # infant_fever: a baby under 3 months + a fever
    "INFANT_UNDER_3M": (
        "@UNDER13 week|weeks|wk|wks|w _? old|o",
        "@UNDER3 month|months|mth|mths|mo|mos|m _? old|o",
        "@UNDER3 =- month|months|mth|mo =- old",
        "@UNDER13 =- week|weeks|wk =- old",
        "@NUM day|days|d _? old|o",
        "few|couple day|days _? old",
        "baby|son|daughter|boy|girl|newborn|infant|he|she|lo|bub|s|'s|is _? _? @UNDER13 week|weeks|wk|wks",
        "baby|son|daughter|boy|girl|newborn|infant|he|she|lo|bub|s|'s|is _? _? @UNDER3 month|months|mth|mths|mo|mos",
        "@UNDER13 week|wk|weeks baby|son|daughter|boy|girl|newborn|infant",
        "@UNDER3 month|mth baby|son|daughter|boy|girl|newborn|infant",
        "newborn|newborns|neonate|neonatal",
        "new =-? born",
        "born _? _? _? day|days|week|weeks|yesterday|today ago?",
        "born last week",
    ),
    "FEVER": (
        "fever|fevers|feverish|fevery|febrile|pyrexia|pyrexic|fevr|feaver|fevor",
        "temperature|temp|temps|tempreture|temprature|temperture",
        "burn|burning up",
        "=feel|feels|felt|feeling|is|s|'s|so|very|really|burning|super =hot",
        "hot to the touch",
        "@FEVER_C =°? =c|°c|celsius|centigrade|degrees|degree|deg",
        "@FEVER_F =°? =f|°f|fahrenheit|degrees|degree|deg",
        "@FEVER_C_DEC",
        "@FEVER_C =point|pt",
    ),
    # pregnancy_emergency: pregnant + a danger sign
    "PREGNANT": (
        "pregnant|pregnancy|preggo|preggers|pregant|pragnant|pregnent",
        "trimester|midwife|antenatal|prenatal|gestation|obstetrician|ob|obgyn",
        "=expecting",
        "baby bump",
        "=my|the|her bump",
        "due date",
        "=i|im|she|wife|partner|girlfriend|gf|am|'m|m|shes _? _? @NUM week|weeks|wks|wk",
        "@NUM week|weeks|wks|wk along|gone",
        "@NUM week|weeks|wks|wk",
    ),
    "PREGNANCY_DANGER": (
        "bleed|bleeding|bleedin|blood|haemorrhage|hemorrhage|haemorrhaging|hemorrhaging|clot|clots",
        "severe|bad|terrible|sharp|extreme|intense|excruciating|awful|horrible|unbearable|stabbing|agonising|agonizing|really|very|worst _? _? stomach|tummy|belly|abdominal|abdomen|pelvic|pelvis|lower|side|shoulder|back? pain|pains|cramp|cramps|cramping|ache",
        "stomach|tummy|belly|abdominal|abdomen|pelvic|pelvis _? pain|pains|cramp|cramps|cramping|ache _? _? severe|bad|terrible|unbearable|agony|excruciating|awful",
        "shoulder tip pain",
        "severe|bad|terrible|worst|pounding|splitting|awful|horrible|really|blinding headache|headaches|migraine",
        "blurred|blurry|blurring|double|cloudy vision|sight",
        "vision _? _? blurry|blurred|blurring|spots|flashing|going|strange|weird|funny",
        "flashing lights|spots|stars|flashes",
        "vision|eyes _? _? _? sparkly|sparkles|sparkling|flickering",
        "feet|ankles|hands|face _? _? like balloons|balloon",
        "pain _? _? under|below @POSS? rib|ribs",
        "see|seeing spots|stars|flashes|flashing",
        "sudden|suddenly _? swell|swelling|swollen|puffy _? _? face|hands|feet|fingers",
        "face|hands _? _? suddenly swell|swelling|swollen|puffy",
        "fluid|water|waters|liquid _? _? leak|leaking|gush|gushing|trickle|trickling|pour|pouring|coming",
        "gush of fluid|water|liquid",
        "contraction|contractions|contracting",
        "in labour|labor",
        "baby _? _? @NOT move|moving|moved|kick|kicking|kicked",
        "baby _? _? move|moving|kick|kicking =less|fewer|slower",
        "baby _? _? _? stop|stopped|stops moving|kicking|moved|kicked",
        "stomach|tummy|belly|abdomen|bump|womb _? _? _? _? _? painful|agony|excruciating|unbearable|agonising|agonizing|hurts|hurting|killing|cramping",
        "rock|really|very hard belly|stomach|tummy|bump",
        "stomach|tummy|belly|abdomen|bump|womb _? _? rock|really|very hard",
        "=hard =as =a =rock",
        "faint|fainted|fainting|collapse|collapsed",
        "pass|passed|passing out",
        "seizure|seizures|fit|fitting|convulsion|convulsions|convulsing",
        "severe|bad|terrible|sharp|extreme|intense|excruciating|awful|horrible|unbearable|stabbing|agonising|agonizing pain|pains|cramp|cramps|cramping",
        "fall|fell|fallen|trip|tripped|slip|slipped _? _? _? on? @POSS? stomach|belly|bump|tummy",
        "hit|punched|kicked|kick|punch _? _? _? stomach|belly|bump|tummy",
    ),
    # severe_bleeding: bleeding + it will not stop ("bleeding from a dog bite and it won't stop")
    "BLEEDING": (
        "bleed|bleeding|bleedin|bleading|blood|nosebleed",
    ),
    "WONT_STOP": (
        "@NOT stop|stopping|stopped|slow|slowing|clot|clotting",
        "@CANT stop =it|the|this",
        "keep|keeps|kept|still bleeding|pouring|gushing|coming",
    ),
    # overdose_poisoning: an extra dose + a sign it is harming ("took double ... now very dizzy")
    "EXTRA_DOSE": (
        "take|took|taken|taking|give|gave|given|inject|injected|had|have _? double|triple|twice|extra|two|three|too _? _? _? dose|doses|medication|meds|pills|tablets|insulin|much|many|lot",
        "double|triple dose|doses|dosed",
        "dose|doses|medication|meds|pills|tablets|insulin _? _? twice|double|again",
    ),
    "OVERDOSE_SIGN": (
        "dizzy|drowsy|confused|confusion|slow|slowed|unresponsive|sleepy|faint|fainted|collapsed|shaky|shaking|vomiting|vomit|hallucinating|seeing|racing|pounding|unconscious|floppy|grey|blue",
        "@CANT wake|stay _? awake",
        "hard|difficult to wake",
    ),
    # head_injury: a knock to the head + a danger sign
    "HEAD_INJURY": (
        "hit|hits|hitting|bang|banged|banging|bump|bumped|bumping|smack|smacked|knock|knocked|whack|whacked|crack|cracked|bash|bashed|slam|slammed|strike|struck|hurt|injure|injured|split|kick|kicked|punch|punched|elbow|elbowed _? _? _? head|skull",
        "head injury|injuries|trauma|knock|bump|wound|wounds|blow",
        "concussion|concussed|concused",
        "fall|fell|fallen|trip|tripped|slip|slipped|land|landed|drop|dropped _? _? _? on|onto|off _? _? head",
        "hit|hitting|struck|smack|smacked|whack|whacked|kick|kicked|punch|punched|elbow|elbowed|kneed _? _? in|on|to _? _? head",
        "head _? _? hit|hitting|smash|smashed|bash|bashed|bang|banged|bump|bumped",
        "headbutt|headbutted",
        "come|came|fall|fell|thrown|flew off _? _? bike|horse|scooter|motorbike|motorcycle|skateboard|ebike",
        "=no|without =a? =helmet",
        "fall|fell|fallen|falling|drop|dropped|roll|rolled|tumble|tumbled|topple|toppled _? _? off|from|down|out _? _? _? bed|sofa|couch|table|stairs|staircase|chair|counter|worktop|bunk|ladder|roof|trampoline|horse|bike|wall|balcony|window|highchair|cot|crib|changing|swing|slide|tree|shelf",
        "fall|fell|fallen _? _? _? _? onto? _? hard? floor|ground|concrete|tiles|pavement|stairs",
    ),
    "HEAD_INJURY_DANGER": (
        "vomit|vomiting|vomited|puke|puking|puked",
        "throw|throwing|threw up",
        "been|being|was|keep|keeps =sick",
        "confused|confusion|confuse|disoriented|disorientated|dazed|delirious|groggy|woozy",
        "out of it",
        "@NOT make|making sense",
        "talk|talking nonsense|gibberish",
        "drowsy|sleepy|drowsiness",
        "@CANT stay|keep awake|up",
        "keep|keeps|kept falling|fall|nodding asleep|off",
        "keep|keeps|kept _? doze|dozing|drift|drifting|nod|nodding off",
        "hard|difficult to wake",
        "unconscious|unconcious|faint|fainted",
        "pass|passed|black|blacked out",
        "lose|lost|losing consciousness|conciousness",
        "seizure|seizures|fit|fitting|convulsion|convulsing",
        "blood|fluid|liquid|bleeding _? _? _? from|out|of _? _? ear|ears|nose",
        "bleed|bleeding _? _? ear|ears",
        "blurred|blurry|double vision|sight",
        "see|seeing|saw double|stars",
        "vision|sight|eyesight _? _? blurry|blurred|double|fuzzy|funny|strange|weird|dim",
        "headache|head _? _? get|getting|gets|worse|worsening|severe|terrible|unbearable|awful",
        "severe|bad|terrible|worst|splitting|awful|pounding|unbearable headache",
        "@CANT remember|recall",
        "memory loss|amnesia",
        "warfarin|apixaban|eliquis|rivaroxaban|xarelto|anticoagulant|anticoagulants|clopidogrel|plavix|heparin|coumadin",
        "blood thinner|thinners",
        "slur|slurred|slurring|weak|weakness|numb|numbness",
        "pupil|pupils",
        "behave|behaving|act|acting _? _? strange|strangely|weird|weirdly|odd|oddly|differently",
        "bruise|bruising|bruised behind _? ear|ears",
        "dizzy|dizziness",
        "clear fluid",
    ),
    # sepsis: an infection + a sepsis sign
    "INFECTION": (
        "infection|infections|infected|infect|uti|utis|pneumonia|flu|covid|cellulitis|abscess",
        "fever|fevers|feverish|febrile|temperature|temp|temps",
        "shivering|shivery|shiver|chills|rigors|rigor",
        "antibiotic|antibiotics",
        "pus|oozing",
        "after|since @POSS? surgery|operation|op|procedure",
        "tonsillitis|strep|gastroenteritis|virus|bug|meningitis",
        "cut|wound|graze|scratch|=bite|bites|bitten|splinter|burn _? _? _? _? _? _? _? red|redder|swollen|hot|infected|angry|spreading",
    ),
    "SEPSIS_SIGN": (
        "mottled|mottle|mottling|blotchy|blotch|marbled|marbling",
        "skin|lips|tongue|face _? _? _? blue|grey|gray|ashen|pale|bluish|purple|mottled|blotchy",
        "blue|grey|gray|ashen|bluish skin",
        "confused|confusion|confuse|disoriented|disorientated|delirious",
        "@NOT make|making sense",
        "talk|talking nonsense|gibberish",
        "drowsy",
        "hard|difficult to wake",
        "@CANT wake",
        "@NOT pee|peed|peeing|urinate|urinated|wee|weed|weeing",
        "@NOT pass|passed _? urine|water",
        "=no urine|pee|wee",
        "@NOT _? _? wet nappy|nappies|diaper|diapers",
        "shiver|shivering|shake|shaking|tremble|trembling _? uncontrollably|violently",
        "@CANT stop shiver|shivering|shaking|shake",
        "uncontrollable shivering|shaking",
        "teeth _? chatter|chattering",
        "feel|feels|felt|feeling like @SOMEONE? _? _? going|gonna|gon|about _? _? die|dying",
        "feel|feels|felt|feeling like @SOMEONE? _? die|dying|dead",
        "something _? _? _? seriously|really|very|terribly|badly wrong",
        "=never feel|felt _? _? ill|sick|bad|unwell",
        "breathe|breathing _? _? very|really|so? fast|rapid|rapidly|quickly|quick",
        "heart _? _? race|racing|pound|pounding",
        "stiff neck",
        "neck _? _? stiff",
        "light|lights|brightness _? _? hurt|hurts|hurting _? _? eye|eyes",
        "photophobia",
        "red _? streak|streaks|lines|line _? _? up|along|spreading",
        "floppy|limp|lethargic|unresponsive",
        "cold|freezing hands|feet _? and? _? hands|feet?",
        "rash|spots _? _? _? _? _? _? _? glass|tumbler",
    ),
    # suicide_self_harm: the hour chosen + the goodbyes written ("tonights the night, ive written the letters")
    "FINAL_HOUR": (
        "=tonight|tonights|today|todays _? _? =the =night|day",
        "=it =ends|end =tonight|today",
        "=wont|won't|not|nt|n't =be =around|here _? _? _? longer",
    ),
    "GOODBYES": (
        "write|wrote|written|writing|leave|left _? _? goodbye? letter|letters|note|notes",
        "say|said|saying goodbye|goodbyes",
        "give|gave|giving _? away @POSS? things|stuff|belongings",
    ),
    # heart_attack: pain that spreads to the jaw, shoulder or arms + sweat, pallor or breathlessness
    "RADIATING_PAIN": (
        "jaw _? _? _? ache|aches|aching|pain|hurts|hurting|tight",
        "=left shoulder|arm _? _? ache|aches|aching|pain|hurts|hurting|heavy|numb",
        "spread|spreads|spreading|spread|radiate|radiating|go|going _? across|down|into|to _? both|my|his|her? arm|arms|jaw|chest|shoulder",
    ),
    "CARDIAC_SIGN": (
        "sweaty|clammy|sweating|breathless|grey|gray|ashen",
        "short of breath",
        "pale and sweaty",
    ),
    # overdose_poisoning: a fuel-burning appliance + the signs of carbon monoxide
    "CO_SOURCE": (
        "gas fire|heater|boiler|stove|oven|ring|generator",
        "paraffin|kerosene|charcoal|wood heater|stove|burner|bbq|barbecue",
        "fire|heater|boiler _? on all? day|night",
        "car|engine _? running _? _? _? garage",
        # learned from batch_05: "our old boiler has been giving the whole family headaches"
        "old|faulty|broken|leaking|leaky|dodgy|ancient boiler|heater|furnace|stove|fire",
        "boiler|heater|furnace|stove|fire _? _? _? _? =giving|given|gives|gave|making|made",
    ),
    "CO_SIGN": (
        "headache|headaches|dizzy|dizziness|drowsy|confused|sick|vomit|vomiting|nauseous|collapsed|breathless",
        "both|all|everyone _? _? _? headache|headaches|unwell|ill|sick|dizzy",
    ),
    # severe_bleeding: blood lost + signs of shock ("dark blood and clots ... dizzy, heart racing")
    "SHOCK_SIGN": (
        "heart _? _? race|racing|pound|pounding",
        "faint|fainting|fainted|lightheaded|collapse|collapsed",
        "light =-? headed",
        "pass|passing|passed out",
    ),
    # sepsis: chemotherapy + a fever (neutropenic sepsis: "chemo last week, now 38.7")
    "CHEMO": (
        "chemo|chemotherapy|=quimio|quimioterapia",
    ),
    # overdose_poisoning: pills found beside someone who cannot be woken (batch_05:
    # "passed out, empty vodka bottles and a pill packet, cant wake him")
    "PILL_PACKET": (
        "empty _? _? _? pill|pills|tablet|tablets|packet|packets|bottle|bottles|blister|blisters|box|boxes|strip|strips",
        "pill|pills|tablet|tablets|blister|medicine|medication|meds packet|packets|pack|packs|strip|strips|bottle|bottles|box|boxes",
    ),
    # overdose_poisoning (children): a child + something swallowed
    "CHILD": (
        "toddler|toddlers|child|children|kid|kids|son|daughter|baby|infant|grandson|granddaughter|boy|girl|niece|nephew",
        "@NUM year|years|yr|yrs|y|yo _? old?",
    ),
    "CHILD_INGESTION": (
        f"swallow|swallowed|eat|ate|eaten|drink|drank|drunk|chew|chewed|lick|licked|get|got _? _? _? _? _? {_PILLS}|vitamins|vitamin|pill|coin|magnet|magnets|battery|batteries|pod|pods",
        # learned from batch_05: the packet found open, the pills gone
        "pill|pills|tablet|tablets|medicine|medication|meds organiser|organizer|box|packet|pack|bottle|blister _? _? _? _? _? _? _? _? _? _? empty|missing|gone",
    ),
    # anaphylaxis: an allergic trigger + swelling of face, lips or mouth or other danger
    "ALLERGY_TRIGGER": (
        "allergic|allergy|allergies|allergen|reaction",
        "sting|stung|stinging|bee|wasp|hornet",
        "first|new taste|time|try _? _? _? egg|eggs|peanut|peanuts|nut|nuts|milk|fish|shellfish|sesame|food|yoghurt|yogurt",
        "peanut|peanuts|nut|nuts|shellfish|shrimp|prawn|prawns|sesame|lobster|crab",
        "hives|welts|urticaria",
        "after|since _? _? new? medicine|medication|antibiotic|antibiotics|tablet|tablets|drug|injection|vaccine|jab|tablet",
        "after|since =eating|having|taking|trying|starting|drinking|touching",
    ),
    "ALLERGY_SIGN": (
        "lips|lip|face|mouth|tongue|throat|eyelids _? _? _? swell|swelling|swollen|swells|puff|puffing|puffy|blow|blowing|balloon|ballooning|huge",
        "swollen|swelling|puffy lips|lip|face|mouth|tongue",
        "@CANT swallow",
        "wheeze|wheezing|wheezy",
        "throat _? _? feel|feels|feeling|felt funny|weird|strange|tight|tingly|itchy|scratchy|closing",
        "eye|eyes|eyelids _? _? puff|puffing|swell|swelling|swollen|closing",
        "dizzy|faint|fainting|fainted|lightheaded",
        "light =-? headed",
        "pass|passed out",
        "hives|welts _? _? all over",
        "hives|welts _? _? everywhere|spreading",
        # learned from batch_06
        "squeaky|squeaking|whistling|whistle|wheezy|high _? pitched noise|sound|noises _? _? _? breathe|breathes|breathing",
        "stridor",
        "blotchy|red|raised rash _? _? spreading|spread|everywhere|all over",
    ),
    # infant_unwell: a baby + a sign of a very sick baby ("3 week old is limp")
    "BABY": (
        "baby|babies|babys|newborn|newborns|infant|infants|bub|bubba|lo",
        "little one",
        "@NUM week|weeks|wk|wks|month|months|mth|mths|mo _? old|o",
    ),
    "INFANT_DANGER": (
        "floppy|limp|lethargic|listless",
        "@NOT feed|feeding|fed|feeds|latch|latching|latched",
        "@NOT drink|drinking|drunk|drank|take|taking|taken|had _? _? _? milk|feed|feeds|anything",
        "refuse|refusing|refused _? _? feed|feeds|milk|feeding|anything",
        "@NOT wake|waking _? _? for? feed|feeds|up",
        "hard|difficult to wake",
        "@CANT wake",
        "grunt|grunting|grunts",
        "stop|stops|stopped|stopping breathing",
        "pause|pauses|pausing _? _? breathing",
        "go|going|gone|went|turn|turning|turned|keep|keeps _? =blue|grey|gray|purple|mottled|dusky|white",
        "=blue|grey|gray|purple|dusky _? _? _? lips|lip|face|skin|mouth|colour|color",
        "breathe|breathing _? _? _? really|very|so? fast|rapid|rapidly|heavily",
        "high =-? pitched cry|cries|crying|scream|screaming",
        "bulge|bulging|bulges soft spot|fontanelle|fontanel|fontanelles",
        "soft spot|fontanelle|fontanel _? _? _? bulging|bulge|swollen",
        "@NOT _? _? wet nappy|nappies|diaper|diapers",
        "=barely|hardly _? wet nappy|nappies|diaper|diapers",
        "nappy|nappies|diaper|diapers _? _? _? _? dry",
        "=wo|won|will|wont|would|n't|nt|not|cant|can't|can =not? _? take|keep|drink _? _? sip|sips|fluid|fluids|water|anything|milk",
        "very|really|so|extremely drowsy|pale|floppy|weak",
        "just lie|lies|lying there",
        "@NOT moving|responding|react|reacting",
    ),
    # severe_dehydration: losing fluid + a sign the body is running dry
    "FLUID_LOSS": (
        "vomit|vomiting|vomited|vomits|puke|puking|puked|diarrhoea|diarrhea|diarrhoea|diahorrea|diarreah|diarrhoe|gastro|gastroenteritis",
        "throw|throwing|threw up",
        "be|been|being|keep|keeps =sick",
        "the runs",
        "stomach|tummy bug|virus",
        "food poisoning",
        "stop|stopped drinking",
        "@NOT drink|drinking|drunk|drank _? _? _? day|days|hours|anything",
    ),
    "DEHYDRATION_SIGN": (
        "@NOT pee|peed|peeing|wee|weed|weeing|urinate|urinated|urinating",
        "@NOT pass|passed|passing _? urine|water",
        "=no =pee|wee|urine|tears",
        "@NOT _? _? wet nappy|nappies|diaper|diapers",
        "=barely|hardly _? wet nappy|nappies|diaper|diapers",
        "nappy|nappies|diaper|diapers _? _? _? _? dry",
        "=wo|won|will|wont|would|n't|nt|not|cant|can't|can =not? _? take|keep|drink _? _? sip|sips|fluid|fluids|water|anything|milk",
        "@CANT keep _? _? _? _? down",
        "sunken eyes|fontanelle|fontanel",
        "soft spot|fontanelle|fontanel|eyes _? _? _? sunken",
        "pee|urine|wee _? _? _? dark|brown",
        "@NOT _? _? tears",
        "faint|fainting|dizzy|lightheaded _? _? when|on|if _? stand|standing|get|getting|sit",
        "heart _? _? race|racing|pound|pounding",
        "very|really|so|extremely drowsy|confused|weak|sleepy",
        "confused",
        "feel|feels _? _? _? _? pass|passing out",
    ),
    # hypoglycaemia: diabetes + a sign of a hypo ("diabetic husband is shaky, sweaty and confused")
    "DIABETES": (
        "diabetic|diabetics|diabetes|insulin|metformin|gliclazide|sulfonylurea|sulphonylurea",
        "type =1|one|i _? diabetes?",
        "=t1|t1d|t1dm|t2|t2d|t2dm",
    ),
    "HYPO_SIGN": (
        "shaky|shaking|shakes|tremble|trembling|tremor|tremors|jittery|sweaty|sweating|sweats|clammy|confused|confusion|drowsy|drunk|aggressive|nonsense|gibberish|unconscious|unresponsive|fitting|seizure",
        "@NOT making sense",
        "@CANT swallow|think|wake|answer|concentrate",
        "@NOT answer|answering|respond|responding _? _? properly",
        "very|really|so pale",
        "gone|go|going|went|turned pale",
        "feel|feeling|feels weird|strange|odd|faint",
        "pass|passed|passing out",
        "faint|fainted|fainting|collapse|collapsed|collapsing",
    ),
    # sexual_assault when drugged: a gap in memory + a sign on waking (learned from batch_05:
    # "don't remember anything after 11 ... woke up with my clothes wrong, sore down below")
    "MEMORY_GAP": (
        "@NOT|@CANT remember|recall|remeber anything|what|how|much|a|last|after|most|getting",
        "black|blacked|blacking out",
        "no memory|recollection",
        "memory _? _? blank|gap|gaps",
        "=lost =a? _? _? hours|time|night",
    ),
    "ASSAULT_SIGN": (
        "clothes|clothing|underwear|knickers|pants|bra|top|dress|jeans _? _? _? =off|missing|wrong|ripped|torn|undone|gone|inside",
        "sore|bleeding|bruised|hurts|hurting|pain|painful|tender _? _? down below|there|between @POSS? legs|vagina|privates|bum",
        "wake|woke|woken|waking up? _? _? _? _? _? naked|undressed|strange|stranger|someone|somebody|bed|flat|house|room|sofa",
        "drug|drugged|spike|spiked",
    ),
    # sudden_severe_pain: the testicle + a sign of torsion ("suddenly really hurts and is swollen")
    "TESTICLE": (
        "testicle|testicles|testicular|testis|testes|scrotum|scrotal|groin|=balls|ball",
    ),
    "SEVERE_PAIN_SIGN": (
        "sudden|suddenly|suddenness",
        "out of nowhere",
        "come|came|start|started _? on? suddenly|fast|quickly",
        "agony|agonising|agonizing|excruciating|unbearable|horrendous|terrible|severe|worst",
        "really|very|so|super bad|badly|painful",
        "really|very|so _? hurt|hurts|hurting",
        "swollen|swelling|swell|swells|higher",
        "throw|throwing|threw up",
        "vomit|vomiting",
        "@CANT walk|stand|move",
    ),
}

# Generic signs that raise a category only when nothing more specific is flagged.
FALLBACKS: dict[str, str] = {
    "COLLAPSE": "heart_attack",
    "SPEECH_LOSS": "stroke",
    "CYANOSIS": "breathing_difficulty",
}

COMBINATIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    "infant_fever": (("INFANT_UNDER_3M", "FEVER"),),
    "severe_bleeding": (("BLEEDING", "WONT_STOP"), ("BLEEDING", "SHOCK_SIGN")),
    "overdose_poisoning": (
        ("CHILD", "CHILD_INGESTION"),
        ("EXTRA_DOSE", "OVERDOSE_SIGN"),
        ("CO_SOURCE", "CO_SIGN"),
        ("PILL_PACKET", "COLLAPSE"),
    ),
    "pregnancy_emergency": (("PREGNANT", "PREGNANCY_DANGER"),),
    "head_injury": (("HEAD_INJURY", "HEAD_INJURY_DANGER"),),
    "sepsis": (("INFECTION", "SEPSIS_SIGN"), ("CHEMO", "FEVER")),
    "suicide_self_harm": (("FINAL_HOUR", "GOODBYES"),),
    "heart_attack": (("COLLAPSE", "APNOEA"), ("RADIATING_PAIN", "CARDIAC_SIGN")),
    "anaphylaxis": (("ALLERGY_TRIGGER", "ALLERGY_SIGN"),),
    "infant_unwell": (("BABY", "INFANT_DANGER"), ("INFANT_UNDER_3M", "INFANT_DANGER")),
    "severe_dehydration": (("FLUID_LOSS", "DEHYDRATION_SIGN"),),
    "hypoglycaemia": (("DIABETES", "HYPO_SIGN"),),
    "sudden_severe_pain": (("TESTICLE", "SEVERE_PAIN_SIGN"),),
    "sexual_assault": (("MEMORY_GAP", "ASSAULT_SIGN"),),
}

# Halves of a combination that are a risk the person carries, not an event: "chemo last
# week" or "diabetic for 20 years" is in the past and still counts (ConText's historical
# verdict is ignored for them; negated or hypothetical still rules them out). So is a
# baby's age: "my son is eleven weeks old and had his jabs last week" (batch_05).
RISK_FACTORS: frozenset[str] = frozenset({"CHEMO", "DIABETES", "INFANT_UNDER_3M"})

EXCLUSIONS: dict[str, tuple[str, ...]] = {
    "COLLAPSE": (
        "knock|knocked _? unconscious",
        "collapse|collapsed lung",
        "roof|ceiling|building|bridge|tent|economy|market|markets|dollar|stock|stocks|currency|government|system|systems|healthcare|business|businesses|company|industry|bank|banks|society|country _? _? collapse|collapsed|collapsing|collapses",
        "collapse|collapsed of",
        # "isn't answering her phone" is out of reach, not unconscious (batch_05)
        "@NOT answer|answering|answered|respond|responding _? @POSS? phone|phones|call|calls|texts|text|messages|message|door|mobile|emails",
    ),
    "SPEECH_LOSS": (
        "@CANT speak|talk _? _? _? _? throat|voice|laryngitis|hoarse|language|english|spanish|french|phone|now|right|long",
        "throat|voice|laryngitis|hoarse _? _? _? _? @CANT speak|talk",
        "@CANT talk|speak to|with|about",
        "@CANT understand _? _? _? letter|form|website|site|bill|results|instructions|why|how|what|english|accent",
        "@NOT make|making sense of",
    ),
    "CYANOSIS": (
        "=blue|grey|gray|purple _? _? _? eye|eyes|hair|shirt|dress|car|toe|toes",
        "turn|turning|turned|go|going|gone|went =blue|grey|gray|purple _? _? cold",
        "toe|toes|feet|foot _? _? _? =blue|grey|gray|purple",
    ),
    "anaphylaxis": (
        "swollen|swelling|enlarged|sore tonsil|tonsils|gland|glands|lymph|nodes",
    ),
    "heart_attack": (
        "heart attack|attacks risk|risks",
        "heart attack on a plate",
        "heart _? _? nearly|almost|practically|near stop|stopped|skip|skipped",
        "=how =do|to|should|can|would =i|you|we|one? =do|perform|give|learn =cpr|compressions",
        "learn|learning|course|class|classes|training|certificate|certified|refresher cpr",
        "heart attack waiting to happen",
        "=me =va|iba =a =dar =un =infarto =con|cuando|si|de|por",
        "nearly|almost|practically|near|mini _? _? heart attack",
        "give|gave|giving|given =me|him|her|us|them|you|u =a heart attack",
        "heart|stroke|seizure|epilepsy|cardiac _? check|checkup|appointment|review|clinic|rehab|nurse|team|unit|consultant|specialist|prevention|awareness|support|association|medication|meds|tablets|survivor|survivors|recovery|ward|foundation|charity|research",
        "follow|follow-up|followup up? for|after @POSS? heart|cardiac|stroke",
        f"{_CHEST_FEELING}|discomfort _? _? from|due|because|with|after _? _? heartburn|reflux|indigestion|acid|coughing|cough|gym|workout|exercise|lifting|muscle|pulled|cold|flu|anxiety|stress",
        "heartburn|reflux|indigestion|acid _? _? _? _? chest",
        "asthma|asthmatic|inhaler|inhalers|wheeze|wheezing|wheezy _? _? _? _? _? _? chest _? _? _? tight|tightness|tighten|tightening",
        "chest _? _? _? tight|tightness|tighten|tightening _? _? _? _? _? _? asthma|asthmatic|inhaler|inhalers|wheeze|wheezing|wheezy",
    ),
    "stroke": (
        "heat|sun stroke|strokes",
        "=heatstroke|sunstroke|backstroke|breaststroke",
        "stroke of luck|genius|midnight",
        "brush|pen|swim|swimming|golf|key stroke|strokes",
        "stroke|stroking =my|his|her|the|a =cat|dog|hair|beard|back",
        "racial|a slur",
        "stroke|strokes _? check|checkup|appointment|review|clinic|rehab|nurse|team|unit|consultant|specialist|prevention|awareness|support|association|medication|meds|tablets|survivor|survivors|recovery|ward|foundation|charity|research|follow",
        "follow|follow-up|followup up? for|after @POSS? stroke",
        "since|after|before @POSS stroke|strokes",
        "sleep paralysis",
        # "I was about to have a stroke over it": an idiom (learned from batch_05)
        "=about|nearly|almost|gonna|going =to? =have|had =a stroke =over|about|at|when|because",
        "roll|rolling|rolled @POSS eyes",
        "@CANT walk _? _? _? ankle|knee|foot|feet|leg|hip|toe|back|far|long",
    ),
    "breathing_difficulty": (
        "@CANT breathe|breath|breathing _? _? through @POSS? nose|nostril|nostrils",
        "breathe|breathing|breath through @POSS? nose|nostril|nostrils",
        "choking hazard|hazards",
        "choke|choked|choking _? laughing|laugh|laughter|tears",
        "choke|choked|choking on @POSS? words|spit",
        "nearly|almost choke|choked",
        "choke|choked|choking up",
    ),
    "severe_bleeding": (
        "bleed|bleeding|blood _? _? _? _? on|during|with|from @POSS? period|periods|menstruation",
        "period|periods _? _? _? heavy|heavily|bleeding|bleed",
        "heavy|heavier period|periods|menstrual|menstruation",
        "blood pressure|test|tests|sugar|sugars|work|donation|donor|type|group|count",
        "heavy blood pressure",
        "=blood =thinners|thinner",
        "cut|cuts|slice _? _? throat _? _? sore",
    ),
    "suicide_self_harm": (
        "@NUM =kms",
        "die|dying|dead of|from boredom|embarrassment|laughter|laughing|shame|cringe|hunger|curiosity",
        "kill|killing @REFLEXIVE laughing|laugh",
        "feel|feels|felt|feeling like @SOMEONE? _? _? going|gonna|gon _? _? die|dying",
        "suicide prevention|hotline|helpline|line|rate|rates|risk|awareness|number",
        "want|wanna _? _? die|dye _? _? hair",
        "die|dye @POSS? hair",
    ),
    "overdose_poisoning": (
        "food poisoning|poison",
        "going|gonna|gon|plan|planning|thinking|about|want|wanna|will|'ll|ready|to|might|considering _? _? take|taking|swallow|swallowing|down all|every",
        "poison ivy|oak|sumac|control|centre|center|helpline|line|number",
        "blood poisoning",
        "@BIGNUM =mg|mcg|ml|milligram|milligrams|microgram|micrograms|iu|g|units|unit|mgs",
        "@BIGNUM _? _? _? _? a|per|each|every day|week|morning|night",
        "@BIGNUM _? _? _? _? daily",
        "take|took|taking @BIGNUM _? _? _? different",
    ),
    "seizure": (
        "seizure|seizures|epilepsy|epileptic _? medication|medications|meds|med|medicine|medicines|tablets|pills|drug|drugs|free|threshold|disorder|disorders|clinic|diary|plan|nurse|control|specialist|action|alert|dog|history",
        "anti =-? seizure|seizures",
        "=anti-seizure|antiseizure",
        "seize|seizing|seized up",
        "seize|seizing the|an opportunity|day|chance|moment",
    ),
    "head_injury": (
        "knock|knocked|knocking out _? _? tooth|teeth",
    ),
    "pregnancy_emergency": (
        "water|waters _? _? break|broke|broken _? _? =pipe|boiler|heater|tank|main",
    ),
    "sepsis": (
        "septic tank|tanks|system",
        "rash _? _? _? @NOT fade|fading _? _? _? cream|sun",
    ),
    "INFANT_UNDER_3M": (
        "@NUM week|weeks|wks|wk pregnant|along|gone|gestation",
    ),
    "BLEEDING": (
        "bleed|bleeding|bleedin|blood _? _? _? _? on|during|with @POSS? period|periods|menstruation",
        "blood pressure|test|tests|sugar|sugars|work|donation|type|group|count|thinner|thinners",
        "period|periods _? _? _? heavy|heavily|bleeding|bleed",
        "gum|gums _? bleed|bleeding",
    ),
    "PREGNANT": (
        "@NUM week|weeks|wks|wk|month|months =old|ago|later|after|before|earlier|early|late|postpartum",
        "for|past|last|over|within|every|each|about|around|another|next|few|couple|after _? @NUM week|weeks|wks|wk",
    ),
    "PREGNANCY_DANGER": (
        "light|slight|little|tiny|small|spotting bleed|bleeding|blood",
        "bit of bleed|bleeding|blood",
        "blood pressure|test|tests|sugar|sugars|work|type|group|count",
        "=blood =thinners|thinner",
    ),
    "FEVER": (
        "fever|temperature|temp _? _? _? @NOT _? _? high",
        "hay fever",
        "normal|fine temperature|temp",
        "temperature|temp _? _? normal|fine|ok|okay|down|better",
        "=hot =flush|flushes|flashes",
        "hot =weather|water|bath|day|room|car|drink|tea|coffee|food",
    ),
    "INFECTION": (
        "hay fever",
        "normal|fine temperature|temp",
        "flu shot|jab|vaccine|vaccination",
        "covid test|vaccine|jab|shot|booster",
    ),
    "SEPSIS_SIGN": (
        "heat|nappy|diaper|sweat rash",
    ),
    "HEAD_INJURY": (
        "head lice|louse|cold",
    ),
    "HEAD_INJURY_DANGER": (
        "car|sea|travel|morning sick|sickness",
        "=sick =note|notes|leave|day|days|pay",
    ),
    "CHILD_INGESTION": (
        "swallow|swallowed|swallowing|take|took =his|her|their pill|pills|tablet|tablets|medicine|meds",
    ),
    "sexual_assault": (
        "rape|sexual|sexually _? assault|abuse|attack? crisis|counselling|counseling|support|centre|center|referral|kit|alarm|charity|helpline|hotline|line|awareness|service|services|clinic|team|survivor|survivors|victim|victims|therapy|therapist|course|training",
    ),
    "violence_danger": (
        "domestic violence|abuse _? support|service|services|referral|helpline|hotline|charity|refuge|worker|course|training|awareness|team",
        "baby|bump|babies _? _? _? kick|kicking|kicked|kicks",
        "attack|attacked|bite|bitten _? _? _? dog|dogs|bee|wasp|cat|snake",
        "@SOMEONE _? _? _? kill|killing @REFLEXIVE",
        "used|use =to _? hit|hitting|beat|beating|punch|punching|slap|slapping|kick|kicking|attack|attacking|strangle|choke|hurt|threaten",
    ),
    "hypoglycaemia": (
        "@SUGAR_LOW =times|time|year|years|yr|yrs|hour|hours|hrs|week|weeks|day|days|month|months|ago|a|per|pill|pills|tablet|tablets|spoon|spoons|teaspoon|teaspoons|sugars|cups|cup|cans|can|drinks|units",
        "=hypothyroid|hypothyroidism|hypochondriac|hypoallergenic|hypodermic",
        "low sugar diet|drink|drinks|food|foods|snack|snacks|version|yoghurt|yogurt|option|options|sweets",
        "sugar free|=-free",
        "=a =bit|little|tad =low",
        "=slightly|abit|bit|bitlow|mildly =low",
        "hypo kit|kits|box|boxes|supplies|pack|packs|treatment|treatments|snack|snacks|stash|gel|tablets",
    ),
    "severe_burn": (
        "heart|acid burn|burns",
    ),
    "sudden_severe_pain": (
        "groin strain|pull|pulled",
        "=ball|balls _? _? _? foot|feet|heel|eye|eyes|thumb",
    ),
    "TESTICLE": (
        "ball _? foot|feet|heel|eye|eyes|thumb|game|games|pit|sport|sports|point|pen|park",
        "=balls =of @POSS? feet|foot",
        "=foot|basket|tennis|golf|cricket|soccer|rugby|beach|stress|exercise|gym =ball|balls",
    ),
    "ALLERGY_TRIGGER": (
        "hay fever",
    ),
}


# ------------------------------------------------------------------- Spanish
# The demo clinic also serves patients in Spanish (data/clinic.yml), and an
# emergency must not go unnoticed because of the language it is written in. The
# pipeline's lemmas are English, so these rules match exact lower-case words
# ("=..."), with and without accents because patients often leave them out.
# Negations and hypotheticals are left to ConText: its "no" cue negates "no
# tengo dolor en el pecho" as it does in English; a rule that begins with "no"
# ("no puedo respirar") carries the word itself, so it is not negated.
_ES_BABY = "=bebé|bebe|hijo|hija|niño|nino|niña|nina|nene|nena|recién|recien"
_ES_WEEKS = "=una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce"
_ES_BELLY = "=barriga|panza|vientre|abdomen|estómago|estomago|tripa"
_ES_STRONG = "=fuerte|fuertes|intenso|intensa|insoportable|horrible|terrible"
SPANISH_DIRECT: dict[str, tuple[str, ...]] = {
    "heart_attack": (
        "=ataque =al|del =corazón|corazon",
        "=ataque =cardiaco|cardíaco",
        # learned from batch_06
        "=desplomó|desplomo|desplomado|desplomada|desmayó|desmayo|cayó|cayo _? _? _? _? _? _? =no =respira|reacciona",
        "=infarto|infartando",
        "=paro =cardiaco|cardíaco|cardiorrespiratorio",
        "=dolor|presión|presion|opresión|opresion _? _? =en|de =el|mi? =pecho",
        "=duele|duelen|dolía|dolia|aprieta|arde _? _? =el|mi =pecho",
    ),
    "stroke": (
        "=derrame =cerebral",
        "=ictus",
        "=embolia =cerebral",
        "=cara|boca _? _? =caída|caida|torcida|paralizada",
        "=no =puedo|puede =mover|levantar =el|la|mi =brazo|pierna|lado",
        "=habla =arrastrada|enredada|trabada",
        "=arrastra|traba =las =palabras",
        "=no =puede|puedo =hablar|mover =bien?",
        "=de =repente =no =puede|puedo =hablar|ver|caminar|mover",
    ),
    "breathing_difficulty": (
        "=no =puedo|puede =respirar",
        "=me|se =ahogo|ahoga|ahogando",
        "=me|le =falta =el =aire",
        "=me|le =cuesta =mucho? =respirar",
        "=dificultad =para =respirar",
    ),
    "severe_bleeding": (
        "=sangra|sangrando _? =mucho|muchísimo|muchisimo",
        "=sangra|sangrando =sin =parar",
        "=no =para|deja =de =sangrar",
        "=hemorragia",
        "=sangrado =abundante|fuerte|grave|masivo",
        "=sale|salía|salia|brota|echa =mucha|muchísima|muchisima|demasiada =sangre",
    ),
    "anaphylaxis": (
        "=se =me|le =cierra =la =garganta",
        "=garganta =cerrada|hinchada|cerrándose|cerrandose",
        "=lengua =hinchada",
        "=shock|choque =anafiláctico|anafilactico",
        "=anafilaxia|anafilaxis",
        "=se =le|me =está|esta =hinchando|inflamando =la =cara|garganta|boca|lengua",
        "=reacción|reaccion =alérgica|alergica =grave|fuerte|severa",
    ),
    "suicide_self_harm": (
        "=quiero|quisiera =morir|morirme|matarme|suicidarme",
        "=suicidarme|matarme",
        "=quitarme =la =vida",
        "=acabar =con =mi =vida",
        "=no =quiero =vivir",
        # learned from batch_06
        "=no =quiero|puedo =seguir =viviendo|vivo|aquí|aqui|así|asi|adelante",
        "=esta =noche =lo =voy =a =hacer",
        "=acabar =con =todo",
        "=mensaje|mensajes|carta _? =de =despedida",
        "=despidiéndose|despidiendose|despidió|despidio =de =todos|todo|mí|mi|nosotros",
        "=hacerme =daño|dano",
        "=cortarme =las =venas",
        "=tirarme|aventarme|lanzarme|arrojarme =del|de =la|un|una|el =balcón|balcon|puente|ventana|edificio|tren|metro",
    ),
    "overdose_poisoning": (
        "=sobredosis",
        "=se =tomó|tomo|bebió|bebio|tragó|trago _? _? _? =jarabe|pastillas|medicinas|medicina|frasco|bote",
        "=casi? =todo =el =frasco|bote|blíster|blister",
        "=todas =las =pastillas|píldoras|pildoras",
        "=envenenado|envenenada|envenenamiento",
        "=tomó|tomo|tomé|tome|bebió|bebio|tragó|trago =lejía|lejia|cloro|veneno|anticongelante",
        "=ha|han|he =bebido|tomado|tragado _? _? =lejía|lejia|cloro|veneno|anticongelante|amoniaco|amoníaco",
    ),
    "seizure": (
        "=convulsión|convulsion|convulsiones|convulsionando|convulsiona",
        "=ojos =en =blanco",
        "=se =ha|había|habia =puesto|quedado =rígido|rígida|rigido|rigida|tieso|tiesa",
        "=se =puso|quedó|quedo =rígido|rígida|rigido|rigida|tieso|tiesa",
        "=ataque =epiléptico|epileptico",
        "=crisis =epiléptica|epileptica",
    ),
    "head_injury": (
        "=fractura =de =cráneo|craneo",
        "=traumatismo =craneoencefálico|craneoencefalico",
        # learned from batch_06
        "=pupila|pupilas _? _? _? =más|mas =grande|grandes|dilatada|dilatadas|diferente|diferentes",
        "=atropelló|atropello|atropellaron|atropellado|atropellada",
    ),
    "pregnancy_emergency": (
        "=embarazo =ectópico|ectopico",
        "=aborto =espontáneo|espontaneo",
        "=estoy|está|esta =perdiendo =al|el =bebé|bebe",
        "=se =me|le =rompió|rompio =la =fuente|bolsa",
        "=rompí|rompi|rompió|rompio =fuente|aguas",
        "=el|mi =bebé|bebe =no =se =mueve|movió|movio",
        "=el|mi =bebé|bebe =se =mueve =menos",
        "=no =siento =al|a =mi? =bebé|bebe",
        "=preeclampsia|eclampsia",
    ),
    "sepsis": (
        "=sepsis|septicemia|séptico|septico|séptica|septica",
        "=manchas|manchitas|sarpullido|erupción|erupcion|puntitos _? _? =que =no =desaparecen|desaparece|palidecen|palidece",
        "=manchas|sarpullido|erupción|erupcion|puntitos _? =que =no =se =quitan|quita|borran|borra",
    ),
    "sexual_assault": (
        "=me|la|lo|le|nos =violaron|violó|violo|violaba|forzaron|forzó|forzo",
        "=han|ha|fue|fui =violado|violada|abusado|abusada|agredido|agredida =sexualmente?",
        "=violación|violacion|violada|violado",
        "=agresión|agresion|abuso|ataque =sexual",
        "=abusaron|abusó|abuso|abusado|abusada =de =mí|mi|ella|él|el =sexualmente?",
        "=agredido|agredida|atacado|atacada|tocado|tocada =sexualmente",
        "=me =obligó|obligo|obligaron|forzó|forzo =a =tener =sexo|relaciones",
    ),
    "violence_danger": (
        "=me|nos|la|lo|te =quiere|quieren|va|van =a? =matar",
        "=me|nos =va|van =a =matar",
        "=amenaza|amenazó|amenazo|amenazando|amenazan =con =matarme|matarnos|matarla|matarlo|un|una",
        "=me|nos|la|le =está|esta|están|estan =pegando|golpeando|ahorcando|estrangulando|amenazando",
        "=me|nos|la|le =pega|pegó|pego|golpea|golpeó|golpeo|golpean|ahorca|estrangula",
        "=miedo =por =mi|su =vida",
        "=miedo =de =que =me|nos|la =mate|maten",
        "=tiene|saca|sacó|saco =un|una =cuchillo|navaja|arma|pistola",
        "=quiere|quieren|intenta|intentan|intentando =entrar =en =mi|la =casa",
        "=violencia =doméstica|domestica =ahora",
        "=me =apuñaló|apuñalo|apuñalaron|dispararon",
    ),
    "infant_unwell": (
        f"{_ES_BABY} _? _? _? =muy? =flojo|flojito|floja|flojita|flácido|flacido|decaído|decaido|decaída|decaida|morado|morada|amoratado",
        f"{_ES_BABY} _? _? =no =quiere|puede =comer|mamar|tomar|despertar",
        f"{_ES_BABY} _? _? =no =come|mama|toma|despierta|reacciona",
        f"{_ES_BABY} _? _? =se =pone|puso =morado|morada|azul",
    ),
    "severe_dehydration": (
        "=muy|muy|gravemente =deshidratado|deshidratada",
        "=deshidratación|deshidratacion =grave|severa|fuerte",
    ),
    "hypoglycaemia": (
        "=hipoglucemia|hipoglicemia|hipo",
        "=bajón|bajon|bajada =de =azúcar|azucar",
        "=azúcar|azucar|glucosa =muy? =baja|bajísima|bajisima",
        "=se =me|le =bajó|bajo =el|la =azúcar|azucar",
    ),
    "severe_burn": (
        "=quemadura|quemaduras =grave|graves|fuerte|fuertes|profunda|profundas|grande|grandes",
        "=quemadura|quemaduras =de =segundo|tercer =grado",
        "=me|se|le =quemé|queme|quemó|quemo _? _? _? _? =con =agua|aceite =hirviendo|caliente",
        "=agua|aceite =hirviendo _? _? _? _? _? _? =quemé|queme|quemó|quemo|quemado|quemada|ampollas|piel",
        "=se =me|le =está|esta =cayendo =la =piel",
        "=se =le =prendió|prendio =fuego",
        "=ampollas =grandes|enormes",
        "=se =echó|echo|tiró|tiro|cayó|cayo|derramó|derramo _? _? =café|cafe|agua|aceite|leche|sopa|té|te =hirviendo|caliente",
        # learned from batch_06
        "=quemé|queme|quemó|quemo|quemado|quemada|quemaste =la|mi|su =cara|ojo|ojos|cuello",
        "=vapor _? _? _? _? _? _? =ampollas|quemé|queme|quemó|quemo",
    ),
    "sudden_confusion": (
        "=de =repente _? _? _? =confundido|confundida|desorientado|desorientada",
        "=repentinamente =confundido|confundida|desorientado|desorientada",
        "=no =me|nos =reconoce",
        "=no =sabe =dónde|donde =está|esta",
        "=delira|delirando|delirio",
    ),
    "sudden_severe_pain": (
        "=dolor _? _? _? =en =el|un|los =testículo|testiculo|testículos|testiculos",
        "=testículo|testiculo|testículos|testiculos _? _? =hinchado|hinchados|inflamado",
        "=duele|duelen _? _? _? =testículo|testiculo|testículos|testiculos",
        "=peor =dolor =de =mi =vida",
        "=el =peor =de =mi =vida",
        "=dolor _? _? _? =horrible|insoportable|terrible _? =que =empezó|empezo|vino =de =repente",
        "=dolor =de =repente =muy? =fuerte|intenso|insoportable",
        # learned from batch_06
        "=dolor _? _? _? =horrible|insoportable|terrible|fuerte|intenso _? _? _? _? _? _? =de =repente",
        "=no =me =puedo =ni? =enderezar|parar|levantar",
    ),
}
# Two-part categories (COMBINATIONS): each half in Spanish, so that "mi bebé de 6
# semanas tiene fiebre" or "se golpeó la cabeza y está vomitando" is flagged as its
# English twin is. A Spanish half pairs with an English one too (mixed messages).
SPANISH_CONCEPTS: dict[str, tuple[str, ...]] = {
    "FLUID_LOSS": (
        "=vomitando|vómitos|vomitos|vomita|vomitó|vomito|diarrea|diarreas",
    ),
    "DEHYDRATION_SIGN": (
        "=no =he|ha|han =orinado|meado|hecho =pis|pipí|pipi",
        "=no =retiene|retengo|aguanta|aguanto =nada|líquidos|liquidos|agua",
        "=pañal|pañales|panal|panales =seco|secos",
        "=ojos =hundidos",
    ),
    "DIABETES": (
        "=diabético|diabética|diabetico|diabetica|diabetes|insulina",
    ),
    "BABY": (
        "=bebé|bebe|bebita|bebito|bebés|bebes",
    ),
    "INFANT_DANGER": (
        "=no =quiere|puede =comer|mamar|tomar",
        "=no =se =despierta|mueve",
        "=no =come|mama|reacciona",
        "=muy =débil|debil|flojo|floja|flojito|flojita|adormilado|adormilada|dormido|dormida|pálido|palido|pálida|palida",
    ),
    "HYPO_SIGN": (
        "=temblando|sudando|confundido|confundida|tembloroso|temblorosa|sudoroso|sudorosa|tiembla|suda",
    ),
    "COLLAPSE": (
        "=inconsciente",
        "=no =responde|reacciona|despierta",
    ),
    "CYANOSIS": ("=labios =morados|azules",),
    "INFANT_UNDER_3M": (
        f"{_ES_BABY} _? =de @UNDER13 =semana|semanas",
        f"{_ES_BABY} _? =de {_ES_WEEKS} =semana|semanas",
        f"{_ES_BABY} _? =de =un|uno|dos|1|2 =mes|meses",
        "=tiene @UNDER13 =semana|semanas",
        f"=tiene {_ES_WEEKS} =semana|semanas",
        "@NUM =días|dias|semanas =de =nacido|nacida|vida",
        "=recién|recien =nacido|nacida",
        "=neonato|neonata|neonatal",
    ),
    "FEVER": (
        "=fiebre|fiebres|calentura|febril",
        "=temperatura =alta",
        "@FEVER_C =°? =grados|°c|c",
    ),
    "HEAD_INJURY": (
        "=golpe|golpazo|porrazo|trancazo|chichón|chichon _? _? =en =la =cabeza",
        "=se|me|te|le =golpeó|golpeo|golpeé|golpee|pegó|pego|pegué|pegue _? _? =la =cabeza",
        "=se|me|le =cayó|cayo|caí|cai _? _? _? _? =de =cabeza",
        "=se|me =cayó|cayo|caí|cai =de =la|el|las =cama|sofá|sofa|mesa|escalera|escaleras|cambiador|silla|litera|bicicleta|bici|columpio|trampolín|trampolin",
        "=golpe|lesión|lesion|herida|traumatismo =en =la =cabeza",
        "=conmoción|conmocion =cerebral",
    ),
    "HEAD_INJURY_DANGER": (
        "=vomita|vomitó|vomito|vomitando|vómitos|vomitos|vomitado|vomitar",
        "=confundido|confundida|desorientado|desorientada|atontado|atontada",
        "=somnoliento|somnolienta|adormilado|adormilada|adormecido|adormecida",
        "=no =puede|logra =mantenerse =despierto|despierta",
        "=cuesta =despertarlo|despertarla",
        "=se =desmayó|desmayo",
        "=perdió|perdio|perdí|perdi =el =conocimiento|sentido",
        "=inconsciente",
        "=convulsión|convulsion|convulsiones|convulsionando",
        "=sangre|líquido|liquido _? _? =por|de =el|la|los|las =oído|oido|oídos|oidos|nariz|oreja|orejas",
        "=sangra|sangrando =por|de =el|la|los|las =oído|oido|oídos|oidos|oreja|orejas",
        "=visión|vision =borrosa|doble",
        "=ve|veo =doble|borroso",
        f"=dolor =de =cabeza _? _? {_ES_STRONG}|peor|empeora",
        "=le|me =duele =muchísimo|muchisimo|mucho =la =cabeza",
        "=anticoagulante|anticoagulantes|warfarina|sintrom|apixabán|apixaban|rivaroxabán|rivaroxaban",
        "=no _? =recuerda|recuerdo|acuerda|acuerdo",
        "=mareado|mareada|mareos",
        "=habla =raro|arrastrada|enredada",
        "=se =comporta =raro|extraño|extrano",
    ),
    "PREGNANT": (
        "=embarazada|embarazo|encinta",
        "@NUM =semanas =de =embarazo|gestación|gestacion",
        "=estoy =esperando =un =bebé|bebe",
    ),
    "PREGNANCY_DANGER": (
        "=sangrado|sangrando|sangro|hemorragia|coágulos|coagulos",
        f"=dolor|dolores =muy? {_ES_STRONG} _? _? =de|en =la|el {_ES_BELLY}",
        f"=dolor|dolores _? _? =de|en =la|el {_ES_BELLY} _? =muy? {_ES_STRONG}",
        f"=me =duele =muchísimo|muchisimo|mucho =la|el {_ES_BELLY}",
        f"=dolor =de =cabeza _? _? {_ES_STRONG}",
        "=visión|vision =borrosa",
        "=veo =lucecitas|destellos|puntos|estrellas|borroso",
        "=hinchazón|hinchazon =repentina",
        "=se =me =hinchó|hincho|hincharon =la|las =cara|manos|pies =de =repente",
        "=sale|salió|salio|pierdo|perdiendo =mucho? =líquido|liquido|agua",
        "=contracciones",
        "=me =desmayé|desmaye|desmayo",
        "=convulsión|convulsion|convulsiones",
        "=me =caí|cai _? _? =de =panza|barriga|boca|frente",
        f"=me =golpearon|patearon _? _? =la|el {_ES_BELLY}",
    ),
    "INFECTION": (
        "=infección|infeccion|infecciones|infectado|infectada|neumonía|neumonia|gripe|covid|celulitis|absceso|meningitis",
        "=fiebre|calentura|escalofríos|escalofrios",
        "=antibiótico|antibióticos|antibiotico|antibioticos",
        "=pus",
        "=después|despues =de =la|una|mi =operación|operacion|cirugía|cirugia",
    ),
    "SEPSIS_SIGN": (
        "=piel|labios|cara _? _? =azul|azules|azulada|azulado|azuladas|morada|morados|gris|grisácea|grisacea|manchada|moteada|marmórea|marmorea",
        "=confundido|confundida|desorientado|desorientada|delirando|delira",
        "=no =puede|logra =despertar|despertarse|despertarlo|despertarla",
        "=cuesta =despertarlo|despertarla",
        "=no =ha =orinado|hecho =pis|pipí|pipi",
        "=no =orina|orinado",
        "=pañal|pañales|panal|panales =seco|secos",
        "=tiembla|temblando =sin =parar|control",
        f"=escalofríos|escalofrios =muy? {_ES_STRONG}|incontrolables",
        "=siento =que =me =voy =a =morir",
        "=respira =muy =rápido|rapido",
        "=respiración|respiracion =muy =rápida|rapida",
        "=nunca =me =había|habia =sentido =tan =mal",
        "=cuello =rígido|rigido",
        "=habla =arrastrada|enredada",
        "=manchas|puntos|puntitos =morados|moradas|rojas|oscuras|violetas",
    ),
}
for _label, _rules in SPANISH_DIRECT.items():
    DIRECT[_label] = DIRECT[_label] + _rules
for _label, _rules in SPANISH_CONCEPTS.items():
    CONCEPTS[_label] = CONCEPTS[_label] + _rules


def ruler_patterns() -> dict[str, tuple[str, ...]]:
    """Every rule by span label: categories, concepts and "NOT:<label>" exclusions."""
    out: dict[str, tuple[str, ...]] = {}
    for label, rules in DIRECT.items():
        out[label] = rules
    for label, rules in CONCEPTS.items():
        out[label] = rules
    for label, rules in EXCLUSIONS.items():
        out[f"NOT:{label}"] = rules
    return out
