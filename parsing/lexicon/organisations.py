"""Words that make a name an organisation's, and words that name a part of one."""

from __future__ import annotations

from parsing.lexicon import union

# Legal forms: a name carrying one is a company, and so is no person and no job title
LEGAL_FORMS_EN = (
    "ltd", "limited", "llp", "llc", "inc", "incorporated", "plc", "corp", "corporation", "co",
    "pty", "lp", "cic",
)
LEGAL_FORMS_DE = ("gmbh", "ag", "kg", "ohg", "gbr", "e.v", "ev", "mbh", "ug", "gmbh & co. kg", "se",
                  "partgmbb", "partg", "partg mbb", "mbb", "ggmbh", "eg")
LEGAL_FORMS_FR = ("sarl", "sas", "sasu", "sa", "eurl", "sci", "scp", "selarl")
LEGAL_FORMS_ES = ("s.l", "sl", "s.a", "s.l.u", "slu", "s.coop", "sll", "s.l.p", "slp", "s.a.u",
                  "sau")
LEGAL_FORMS_NL = ("b.v", "bv", "n.v", "nv", "v.o.f", "vof", "bvba", "cv")
LEGAL_FORMS = union(LEGAL_FORMS_EN, LEGAL_FORMS_DE, LEGAL_FORMS_FR, LEGAL_FORMS_ES, LEGAL_FORMS_NL)

# Schools and nurseries: the words a school's name carries ('Riverside Infants', 'Moorside
# Juniors', 'St Anne's C of E Primary')
SCHOOL_WORDS_EN = (
    "school", "schools", "academy", "academies", "college", "university", "primary", "secondary",
    "infant", "infants", "junior", "juniors", "nursery", "pre-school", "preschool",
    "kindergarten", "sixth form", "high", "grammar", "free school", "federation",
    "multi academy trust", "mat", "c of e", "ce", "rc", "montessori", "prep",
)
SCHOOL_WORDS_DE = (
    "schule", "grundschule", "gymnasium", "realschule", "gesamtschule", "hochschule",
    "universität", "kita", "kindergarten", "berufsschule", "oberschule",
)
SCHOOL_WORDS_FR = ("école", "ecole", "lycée", "lycee", "collège", "université", "crèche")
SCHOOL_WORDS_ES = ("colegio", "instituto", "escuela", "universidad", "guardería", "ies", "ceip")
SCHOOL_WORDS_NL = ("basisschool", "hogeschool", "universiteit", "lyceum", "kinderopvang", "obs",
                   "cbs", "pcbs", "rkbs", "kbs", "ikc", "sbo")
# Welsh: Wales's schools write their names in Welsh ('Ysgol Gynradd Bryn Onnen')
SCHOOL_WORDS_CY = ("ysgol", "gynradd", "uwchradd", "coleg", "prifysgol", "meithrin")
SCHOOL_WORDS = union(SCHOOL_WORDS_EN, SCHOOL_WORDS_DE, SCHOOL_WORDS_FR, SCHOOL_WORDS_ES,
                     SCHOOL_WORDS_NL, SCHOOL_WORDS_CY)

# Nouns that end or open the name of an organisation of any kind ('Greenleaf Housing Trust',
# 'Hillside Dental Practice', 'Stadtwerke Musterstadt', 'Cabinet Dupont')
ORGANISATION_NOUNS_EN = (
    "trust", "council", "nhs", "surgery", "practice", "clinic", "hospital", "medical centre",
    "health centre", "pharmacy", "dental", "church", "parish", "diocese", "charity",
    "foundation", "association", "society", "club", "institute", "centre", "center",
    "group", "holdings", "partners", "partnership", "services", "solutions", "consulting",
    "consultants", "associates", "agency", "estates", "properties", "lettings", "logistics",
    "transport", "haulage", "freight", "engineering", "construction", "builders", "motors",
    "garage", "hotel", "restaurant", "cafe", "bakery", "farm", "shop", "store", "stores",
    "studio", "studios", "design", "media", "marketing", "accountants", "accountancy",
    "solicitors", "law", "legal", "chambers", "insurance", "finance", "bank", "housing",
    "homes", "care", "care home", "vets", "veterinary", "opticians", "library", "museum",
    "theatre", "borough", "county", "district", "authority", "department for", "ministry",
    "manufacturing", "industries", "technologies", "systems", "software", "labs",
    "laboratories", "printing", "supplies", "wholesale", "retail", "trading", "enterprises",
)
ORGANISATION_NOUNS_EN += (
    "agents", "estate agents", "architects", "surveyors", "dentistry", "chiropractic",
    "joinery", "plant hire", "hire", "civils", "alliance", "hospice", "management",
    "wealth management", "talent", "recruitment", "hotels", "collective", "vet",
    "veterinary centre", "wines", "brewery", "nurseries", "physio", "physiotherapy",
    "clinics", "cooperative", "co-op", "network", "academy trust",
    "community", "federation", "fellowship", "guild", "union", "ventures", "capital",
    "investments", "property", "property management", "developments",
    "interiors", "electrical", "plumbing", "heating", "roofing", "landscaping", "cleaning",
    "catering", "events", "travel", "tours", "fitness", "gym", "salon", "spa", "dental care",
    "optometrists", "funeral", "bakers", "butchers", "florist",
    "florists", "nursery", "kitchens", "carpentry", "machinery", "plastics", "packaging",
    "print", "signs", "foods", "farms", "dairy", "autos", "cars", "coaches", "taxis",
    "removals", "storage", "security", "electronics", "it solutions", "computing", "digital",
    "analytics", "research", "press", "publishing", "books", "records", "films",
    "productions", "yoga", "sports", "leisure", "arts", "gallery", "radio", "pediatrics",
    "paediatrics", "pediatric", "orthodontics", "dermatology", "family practice",
    "health", "healthcare", "medical", "medical group", "mini market", "market",
    "supermarket", "newsagents", "deli", "takeaway", "pub", "inn", "pottery", "biotech",
    "pharma", "therapeutics", "biosciences",
    "creamery", "tutors", "tutoring", "farm shop", "garden centre", "kennels",
    "cattery", "stables", "hair", "barbers", "beauty", "tattoo", "dentist", "dentists",
)
ORGANISATION_NOUNS_DE = (
    "praxis", "kanzlei", "verein", "stiftung", "verband", "stadtwerke", "klinik",
    "krankenhaus", "apotheke", "steuerberatung", "rechtsanwälte", "gemeinde", "stadtverwaltung",
    "landratsamt", "gruppe", "werke", "bau", "logistik", "technik", "versicherung",
    "autohaus", "druckerei", "bäckerei", "hotel", "zahnarztpraxis", "arztpraxis", "amt",
    "physiotherapie", "medien", "elektro", "handel", "immobilien", "beratung", "metallbau",
    "maschinenbau", "malerbetrieb", "gaststätte", "restaurant", "café", "sanitär", "dienst",
    "turnverein", "sportverein", "kindergarten", "gemeinschaftspraxis", "steuerkanzlei",
)
ORGANISATION_NOUNS_FR = (
    "cabinet", "société", "mairie", "clinique", "pharmacie", "association", "fondation",
    "groupe", "études", "conseil", "agence", "boulangerie", "garage", "notaires", "avocats",
    "transports", "imprimerie", "hôtel", "laboratoire", "communauté",
    "pâtisserie", "librairie", "fleuriste", "menuiserie", "plomberie", "électricité", "atelier",
    "cabinet dentaire", "cabinet médical", "étude", "agence immobilière", "restaurant",
    "au", "aux", "chez",
)
ORGANISATION_NOUNS_ES = (
    "ayuntamiento", "clínica", "farmacia", "asociación", "fundación", "grupo", "despacho",
    "asesoría", "abogados", "gestoría", "transportes", "consultores", "hotel", "construcciones",
    "distribuciones", "talleres", "inmobiliaria", "hospital", "taller", "hermanos",
    "floristería", "floristeria", "gestoria", "panadería", "restaurante",
    "bodega", "bodegas", "librería", "ferretería", "academia", "estudio", "consultoría",
    "ingeniería", "logística", "comercial", "industrias", "hijos",
)
ORGANISATION_NOUNS_NL = (
    "gemeente", "praktijk", "stichting", "vereniging", "groep", "advocaten", "notariaat",
    "tandartspraktijk", "huisartsenpraktijk", "apotheek", "bouw", "installatietechniek",
    "transport", "makelaardij", "accountants", "adviseurs", "ziekenhuis", "kliniek",
    "communicatie", "café", "bakkerij", "kapsalon", "installatiebedrijf", "bloemen",
    "havendiensten", "diensten", "techniek", "handel", "administratiekantoor",
)
# The last part of a German or Dutch compound that names an organisation ('Loodgieters|bedrijf',
# 'Maschinen|bau', 'Bloemen|huis', 'Stadt|werke')
ORGANISATION_COMPOUND_HEADS = (
    "bedrijf", "bedrijven", "winkel", "kantoor", "diensten", "groep", "werke", "technik",
    "service", "praxis", "kanzlei", "handel", "verein", "zentrum", "logistik", "medien",
    "vertrieb", "versand", "beratung", "betrieb", "gesellschaft", "genossenschaft", "schule",
    "klinik", "apotheke", "school", "praktijk", "centrum", "büro", "buero", "ingenieure",
    "therapie", "atelier", "studio", "markt",
)
# ...and heads that end surnames as often ('Neuhaus', 'Oosterhuis', 'Backhaus'): in a
# person's name only a doubt
ORGANISATION_COMPOUND_HEADS_SURNAME_LIKE = ("huis", "haus", "bau", "werk")
ORGANISATION_NOUNS = union(ORGANISATION_NOUNS_EN, ORGANISATION_NOUNS_DE, ORGANISATION_NOUNS_FR,
                           ORGANISATION_NOUNS_ES, ORGANISATION_NOUNS_NL)

# Any word that says "this is an organisation"
ORGANISATION_WORDS = union(LEGAL_FORMS, SCHOOL_WORDS, ORGANISATION_NOUNS)

# Parts of an organisation: sort after the organisation itself ('IT Services' above 'St Mary's
# School'), and are no employer on their own ('Sarah from IT')
DEPARTMENTS_EN = (
    "it", "ict", "hr", "human resources", "finance", "accounts", "accounts payable",
    "payroll", "facilities", "estates", "customer services", "customer service", "sales",
    "marketing", "operations", "reception", "admin", "administration", "office", "it services",
    "it support", "ict support", "support", "helpdesk", "service desk", "procurement",
    "legal", "compliance", "exams", "pastoral", "send", "senco", "premises", "site team",
    "front office", "school office", "business office", "warehouse", "dispatch", "despatch",
    "department", "dept", "team", "year", "key stage", "management", "office management",
    "facility management", "facilities management", "property management",
)
DEPARTMENTS_DE = (
    "edv", "buchhaltung", "personal", "personalabteilung", "vertrieb", "einkauf", "versand",
    "lager", "verwaltung", "sekretariat", "empfang", "abteilung", "geschäftsleitung",
)
DEPARTMENTS_FR = ("comptabilité", "informatique", "service", "accueil", "direction", "secrétariat")
DEPARTMENTS_ES = ("contabilidad", "informática", "administración", "departamento", "recepción")
DEPARTMENTS_NL = ("boekhouding", "administratie", "afdeling", "receptie", "inkoop", "verkoop")
DEPARTMENTS = union(DEPARTMENTS_EN, DEPARTMENTS_DE, DEPARTMENTS_FR, DEPARTMENTS_ES,
                    DEPARTMENTS_NL)

# Words that join the words of an organisation's name ('Harbour & Finch', 'Bank of Scotland',
# 'Cabinet de la Tour'): inside a name only, never at its end
ORGANISATION_JOINERS = ("of", "and", "&", "for", "the", "de", "la", "du", "des", "der", "van",
                        "von", "y", "et", "und", "en", "del", "le", "les", "st", "st.", "am",
                        "im", "zum", "zur", "an der", "auf", "'t", "’t", "het")

# Words of a postal address ('Oakfield Road', 'Hafenstraße 12', '12 rue de la Paix'): an
# address line is no one's name and no organisation
ADDRESS_WORDS = (
    "road", "rd", "street", "st", "lane", "ln", "avenue", "ave", "drive", "dr", "close",
    "way", "place", "court", "crescent", "terrace", "grove", "gardens", "square", "row",
    "hill", "park", "parade", "walk", "mews", "industrial estate", "business park",
    "trading estate", "suite", "floor", "unit", "po box", "straße", "strasse", "str", "weg",
    "platz", "allee", "gasse", "ring", "damm", "ufer", "rue", "boulevard", "bd",
    "chemin", "impasse", "allée", "calle", "avenida", "plaza", "paseo", "carretera",
    "straat", "laan", "plein", "gracht", "kade", "singel", "dijk", "postbus",
)

# Words of a register entry, which name no organisation of their own ('Registered Charity
# 1187654', 'Company No.', 'AVISO LEGAL')
REGISTER_WORDS = ("registered", "registration", "company", "charity", "number", "no", "vat",
                  "reg", "office", "aviso", "legal", "notice")
