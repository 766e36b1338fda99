"""Words about people: what they are called, what they do, and what is no one's name."""

from __future__ import annotations

from parsing.lexicon import union

# Job titles and their words ('Practice Manager', 'Head of Operations', 'Teamleitung Versand'):
# no employer, and a name that carries one is doubtful ('Jo Head' is a person, 'Head Teacher'
# a mailbox)
JOB_TITLES_EN = (
    "manager", "officer", "director", "head", "headteacher", "head teacher", "principal",
    "deputy", "coordinator", "co-ordinator", "assistant", "administrator", "admin", "technician",
    "engineer", "teacher", "tutor", "lecturer", "bursar", "secretary", "clerk", "analyst", "lead",
    "leader", "supervisor", "executive", "consultant", "receptionist", "caretaker", "ceo", "cto",
    "cfo", "coo", "md", "partner", "associate", "solicitor", "accountant", "controller",
    "practitioner", "nurse", "dentist", "doctor", "gp", "pharmacist", "owner", "founder",
    "president", "vice president", "vp", "specialist", "advisor", "adviser", "senco", "chair",
    "governor", "trustee", "paralegal", "agent", "negotiator", "surveyor", "planner",
    "dispatcher", "operator", "developer", "designer", "editor", "librarian", "matron",
    "chef", "porter", "attendant", "apprentice", "intern", "trainee", "volunteer", "pa",
    "paraplanner", "recruiter", "buyer", "estimator", "foreman", "coach",
    "instructor", "therapist", "hygienist", "optometrist", "veterinarian", "vet nurse",
    "bookkeeper", "cashier", "storekeeper", "keyholder", "steward", "concierge",
)
JOB_TITLES_DE = (
    "geschäftsführer", "geschäftsführerin", "leiter", "leiterin", "leitung", "teamleitung",
    "teamleiter", "abteilungsleiter", "sachbearbeiter", "sachbearbeiterin", "assistenz",
    "assistentin", "inhaber", "inhaberin", "vorstand", "prokurist", "mitarbeiter",
    "mitarbeiterin", "sekretärin", "schulleiter", "schulleiterin", "lehrer", "lehrerin",
    "referent", "referentin", "buchhalter", "buchhalterin", "disponent", "meister",
)
JOB_TITLES_FR = (
    "directeur", "directrice", "responsable", "gérant", "gérante", "assistant", "assistante",
    "comptable", "secrétaire", "chargé", "chargée", "chef", "adjoint", "adjointe",
    "président", "présidente", "technicien", "ingénieur", "professeur", "associé", "associée",
    "secrétaire de direction", "assistante de direction", "conseiller", "conseillère",
)
JOB_TITLES_ES = (
    "director", "directora", "responsable", "gerente", "administrativo", "administrativa",
    "jefe", "jefa", "técnico", "técnica", "coordinador", "coordinadora", "secretaria",
    "contable", "socio", "socia", "profesor", "profesora", "encargado", "encargada",
)
JOB_TITLES_NL = (
    "directeur", "medewerker", "medewerkster", "beheerder", "eigenaar", "hoofd", "adviseur",
    "coördinator", "office manager", "praktijkmanager", "leidinggevende", "teamleider",
    "secretaresse", "boekhouder", "docent", "leraar", "lerares",
)
JOB_TITLES = union(JOB_TITLES_EN, JOB_TITLES_DE, JOB_TITLES_FR, JOB_TITLES_ES, JOB_TITLES_NL)

# Words that qualify a job title ('Senior', 'Year 4', 'Business Manager', 'Finance Director')
TITLE_QUALIFIERS = (
    "senior", "junior", "chief", "deputy", "assistant", "acting", "interim", "general",
    "managing", "practice", "office", "business", "finance", "financial", "operations", "it",
    "ict", "hr", "sales", "site", "data", "network", "school", "customer", "service",
    "services", "support", "facilities", "premises", "exams", "year", "class", "reception",
    "teaching", "nursery", "lead", "area", "regional", "group", "project", "account",
)

# Titles before a name; not part of the name a desk files
HONORIFICS = (
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "herr", "frau",
    "m", "mme", "mlle", "sr", "sra", "srta", "don", "doña", "dhr", "mevr", "mw",
    "ir", "drs",  # Dutch engineers' and graduates' titles ('ir. W.J. de Groot')
)

# Particles inside a surname ('Jan van der Berg', 'Maria de la Cruz', 'Lena von Stein')
NAME_PARTICLES = (
    "van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "la", "le", "ter",
    "ten", "bin", "al", "el", "zu", "y", "dos", "das", "do", "st", "mc", "mac", "o'", "'t",
    "’t", "i", "van't", "op", "in't",
)

# Capitalised words that are no one's name: a title-cased line ('Please Help Urgently',
# 'Broken Since Monday', 'Server Room Two') is no signature
NOT_NAME_WORDS = (
    "a", "an", "the", "my", "our", "your", "their", "this", "that", "is", "are", "was", "not",
    "no", "yes", "please", "help", "urgent", "urgently", "asap", "thanks", "thank", "you", "so",
    "much", "many", "kind", "regards", "best", "sent", "from", "to", "with", "in", "on", "at",
    "of", "for", "and", "or", "but", "still", "again", "since", "today", "tomorrow",
    "yesterday", "now", "broken", "down", "working", "error", "issue", "problem", "fault",
    "room", "floor", "server", "printer", "laptop", "computer", "pc", "phone", "email", "e-mail",
    "wifi", "network", "one", "two", "three", "monday", "tuesday", "wednesday", "thursday",
    "saturday", "sunday", "january", "february", "march", "september", "october",
    "november", "december", "hi", "hello", "dear", "re", "fw", "fwd", "tel", "mob", "fax",
    "mobile", "direct", "dial", "ext", "extension", "www", "http", "https", "get", "outlook",
    "iphone", "ipad", "android", "samsung", "galaxy", "name", "company", "school", "number",
    "telephone", "address", "site", "contact", "details", "description", "ticket",
    "request", "ref", "reference", "account", "order", "invoice", "serial", "asset", "update",
    "meeting", "class", "year", "block", "wing", "building", "lab", "staff",
    "student", "students", "pupils", "parents", "all", "everyone", "team", "department",
    "sorry", "ok", "okay", "cheers", "ta", "mit", "freundlichen", "grüßen", "viele", "grüße",
    "cordialement", "saludos", "groet", "groeten", "bonjour", "hola", "hallo", "merci",
    "gracias", "danke", "bedankt", "vriendelijke", "i", "i'm", "i’m", "im", "am", "um", "ich",
    "je", "yo", "ik", "wir", "we", "hier", "ist", "est", "es", "sind", "montag",
    "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "lundi", "mardi",
    "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "lunes", "martes", "miércoles",
    "jueves", "viernes", "sábado", "domingo", "maandag", "dinsdag", "woensdag", "donderdag",
    "vrijdag", "zaterdag", "zondag", "tag", "guten", "liebe", "lieber", "sehr", "geehrte",
    "geehrter", "begin", "end", "pgp", "message", "signed", "signature", "original",
    "forwarded", "subject", "date", "cc", "bcc", "attachment", "attachments", "ihnen", "uns",
    "euch", "vous", "nous", "usted", "ustedes", "jullie", "ons",
)

# Surnames that are also words of an organisation, an address or a job ('Jo Church', 'Tom
# Hill', 'Kim Baker', 'Sam Head'): such a word last in a name does not make it no one's
SURNAMES_THAT_ARE_WORDS = (
    "head", "lead", "baker", "church", "hall", "field", "fields", "young", "booth", "friday",
    "reading", "mail", "engineer", "teacher", "office", "bank", "banks", "farmer", "law",
    "care", "wood", "woods", "house", "park", "parks", "hill", "hills", "lane", "close",
    "way", "court", "grove", "rowe", "row", "walker", "king", "bishop", "dean", "marshall",
    "steward", "stewart", "porter", "clerk", "clark", "mason", "smith", "carpenter", "cook",
    "fisher", "hunter", "taylor", "turner", "page", "chambers", "ford", "brook", "brooks",
    "street", "green", "castle", "bridge", "mill", "mills", "chapel", "temple", "lord",
    "knight", "cross", "hope", "rose", "lake", "marsh", "bell", "spring", "winter", "summer",
)

# What robots call themselves ('Mail Delivery System', 'Microsoft Outlook'): two of these make
# no person ('Sally Mail' is one)
ROBOT_WORDS = (
    "mail", "delivery", "system", "subsystem", "outlook", "microsoft", "google", "mailer",
    "daemon", "notification", "notifications", "alert", "alerts", "calendar", "service",
    "postmaster", "noreply", "no-reply", "do-not-reply", "automated", "auto", "bot", "robot",
)
# Mailbox names that are a role or a team, not a person ('IT Support', 'Accounts Team')
ROLE_MAILBOX_WORDS = (
    "support", "helpdesk", "help desk", "service desk", "servicedesk", "team", "admin",
    "office", "info", "enquiries", "enquiry", "accounts", "sales", "reception", "noreply",
    "no-reply", "it dept", "department", "contact", "hello", "mailbox", "shared", "general",
    "bookings", "orders", "billing", "payroll", "finance", "hr", "facilities", "estates",
    "headteacher", "bursar", "school", "admissions", "exams", "it", "ict",
)
# What 'it's …' names in a fault report: 'it's Adobe Acrobat, it keeps crashing'
PRODUCT_WORDS = (
    "windows", "defender", "adobe", "acrobat", "teams", "excel", "word", "powerpoint",
    "onedrive", "sharepoint", "chrome", "firefox", "edge", "zoom", "update", "updates", "vpn",
    "app", "microsoft", "google", "outlook", "office", "payroll", "sage", "online", "christmas",
    "eve", "arbor", "sims", "bromcom", "scomis", "capita", "xero", "quickbooks", "citrix",
    "mac", "macbook", "ipad", "iphone", "promethean", "smartboard", "clevertouch", "dell",
    "hp", "lenovo", "kyocera", "ricoh", "canon", "epson", "brother", "xerox", "sophos",
    "google classroom", "classroom", "gmail", "drive", "mitel", "avaya", "teamviewer",
)

# Words that stand after an organisation's name in a sentence and are no part of it ('… at
# Oakfield and I can't print', 'Kestrel Fields Primary and I'm')
PRONOUNS = ("i", "i'm", "we", "we're", "it", "it's", "he", "she", "they", "you")
# The sender speaking of themselves ('I', 'my', 'ich', 'je'): their own words, not a notice
FIRST_PERSON = ("i", "i'm", "i am", "my", "me", "we", "our", "us", "je", "ich", "yo", "soy",
                "ik", "mein", "mijn")
# Letters after a name: degrees, chartered and professional bodies, honours ('Robert Fyfe CEng
# MIET', 'Daniel Osei DipPFS', 'Jennifer Walsh, CPA'); no part of the name a desk files
POST_NOMINALS = (
    "ba", "bsc", "ma", "msc", "mba", "mphil", "phd", "dphil", "llb", "llm", "bed", "med",
    "pgce", "qts", "npqh", "hons", "ceng", "ieng", "eng", "miet", "mimeche", "mice", "mistructe",
    "fca", "aca", "fcca", "acca", "acma", "fcma", "cima", "cta", "att", "aat", "maat", "cpa",
    "cfa", "cfp", "dippfs", "dipfa", "riba", "aia", "mrics", "frics", "mcips", "cipd", "fcipd",
    "mcipd", "mrcgp", "frcs", "mbbs", "mbchb", "md", "do", "dds", "dmd", "rn", "rgn", "rvn",
    "bvsc", "mrcvs", "jd", "esq", "obe", "mbe", "cbe", "cissp", "cism", "pmp", "mbcs", "fbcs",
    "ceh", "frsa", "fia", "fiaa", "tep", "mcmi", "fcmi", "mcim", "mcsp", "hcpc",
)
