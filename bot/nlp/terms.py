"""Medical vocabulary for the pipeline's entity ruler.

These entities say *what* a message talks about (a medicine, a test result, a
symptom). The advice guard uses them, and anyone who loads the pipeline gets
them in `doc.ents`. They are not red flags: those live in bot.safety.patterns.

Each group is a comma-separated list of terms. A term is compiled by running
the pipeline's own tokenizer and lemmatizer over it, so "x-ray" or "blood
sugars" match however spaCy splits and lemmatizes them. Plural forms are
listed where the lemma table does not know the word (drug and test names).
"""

from __future__ import annotations

MEDICATION = (
    "medication, medications, medicine, medicines, meds, med, drug, drugs, pill, pills",
    "tablet, tablets, prescription, prescriptions, dose, doses, dosage, dosages",
    "statin, statins, atorvastatin, simvastatin, rosuvastatin, lipitor, crestor",
    "metformin, insulin, gliclazide, ozempic, semaglutide, jardiance",
    "warfarin, apixaban, eliquis, rivaroxaban, xarelto, clopidogrel, heparin",
    "blood thinner, blood thinners",
    "aspirin, ibuprofen, advil, motrin, nurofen, naproxen",
    "paracetamol, acetaminophen, tylenol, panadol, calpol, nurofen, co-codamol, codamol",
    "piriton, gaviscon, sudafed, lemsip, night nurse, mucinex, dayquil, nyquil",
    "codeine, tramadol, morphine, oxycodone, gabapentin, pregabalin, propranolol, lamotrigine",
    "amoxicillin, antibiotic, antibiotics, penicillin, doxycycline, azithromycin",
    "lisinopril, ramipril, amlodipine, losartan, bisoprolol, metoprolol, atenolol, furosemide",
    "levothyroxine, thyroxine, synthroid",
    "sertraline, citalopram, fluoxetine, prozac, zoloft, escitalopram, antidepressant",
    "antidepressants, mirtazapine, venlafaxine, duloxetine, amitriptyline, lithium",
    "omeprazole, lansoprazole, antacid, antacids",
    "prednisolone, prednisone, steroid, steroids, inhaler, inhalers, salbutamol, ventolin",
    "birth control, contraceptive, contraceptives, the pill",
    "antihistamine, antihistamines, cetirizine, loratadine, zyrtec, claritin, benadryl",
    "vitamin, vitamins, supplement, supplements, melatonin",
    "epipen, epi pen, epi-pen",
)

LAB_TEST = (
    "potassium, sodium, calcium, magnesium, phosphate",
    "cholesterol, ldl, hdl, triglyceride, triglycerides, lipids",
    "a1c, hba1c, hb a1c, glucose, blood sugar, blood sugars, sugar level, sugar levels",
    "psa, tsh, t4, thyroid level, thyroid levels, thyroid test",
    "hemoglobin, haemoglobin, ferritin, iron level, iron levels, b12, vitamin d",
    "creatinine, egfr, gfr, bilirubin, liver function, kidney function",
    "white cell count, wbc, platelets, inr, crp, esr, d-dimer",
    "blood pressure, bp, heart rate, pulse, oxygen level, oxygen saturation, sats",
    "ecg, ekg, xray, x-ray, mri, ct scan, ultrasound, scan, biopsy, mammogram, smear",
    "blood test, blood tests, blood work, bloodwork, urine test, lab, labs",
    "result, results, reading, readings",
)

SYMPTOM = (
    "rash, lump, bump, mole, spot, spots, blister, swelling, bruise, discharge",
    "pain, ache, headache, cough, fever, temperature, sore, itch, itchy, itching",
    "dizzy, dizziness, nausea, vomiting, diarrhea, diarrhoea, constipation, fatigue",
    "numbness, tingling, palpitations, wheezing, breathless, cramps",
    "bleeding, insomnia, anxiety, low mood",
)

CONDITION = (
    "cancer, tumour, tumor, melanoma, diabetes, diabetic, prediabetes, hypertension",
    "flu, influenza, covid, covid-19, coronavirus, infection, uti, pneumonia, bronchitis",
    "asthma, copd, eczema, psoriasis, arthritis, gout, migraine, epilepsy, anemia, anaemia",
    "heart disease, kidney disease, high blood pressure, high cholesterol",
    "shingles, chickenpox, measles, sinusitis, tonsillitis, strep throat, allergy, allergies",
    "depression, chlamydia, hiv, hepatitis, hypothyroidism, hyperthyroidism",
)

BODY_PART = (
    "head, face, eye, eyes, ear, ears, nose, mouth, throat, neck, chest, heart, lung, lungs",
    "arm, arms, hand, hands, leg, legs, foot, feet, stomach, tummy, belly, abdomen, skin",
    "kidney, kidneys, liver, breast, breasts, knee, knees, hip, hips, shoulder, shoulders",
)

TERM_GROUPS: dict[str, tuple[str, ...]] = {
    "MEDICATION": MEDICATION,
    "LAB_TEST": LAB_TEST,
    "SYMPTOM": SYMPTOM,
    "CONDITION": CONDITION,
    "BODY_PART": BODY_PART,
}


def term_phrases() -> dict[str, list[str]]:
    """Every term per entity label, in order, without duplicates."""
    out: dict[str, list[str]] = {}
    for label, groups in TERM_GROUPS.items():
        seen: dict[str, None] = {}
        for group in groups:
            for term in group.split(","):
                term = term.strip().lower()
                if term:
                    seen.setdefault(term, None)
        out[label] = list(seen)
    return out
