"""Phrases mail is built of: how it opens and closes, how people label and offer details, how
mail programs quote and what they append."""

from __future__ import annotations

from parsing.lexicon import union

# The words a mail opens with ('Hi team,', 'Dear Sir or Madam', 'Guten Morgen')
GREETINGS_EN = (
    "hi", "hiya", "hello", "hey", "dear", "good morning", "good afternoon", "good evening",
    "morning", "afternoon", "evening", "greetings", "to whom it may concern", "hi there",
)
GREETINGS_DE = (
    "hallo", "guten tag", "guten morgen", "guten abend", "sehr geehrte", "sehr geehrter",
    "sehr geehrten", "liebe", "lieber", "liebes", "moin", "servus", "grüß gott", "hi",
)
GREETINGS_FR = ("bonjour", "bonsoir", "madame", "monsieur", "salut", "chère", "cher")
GREETINGS_ES = ("hola", "buenos días", "buenos dias", "buenas tardes", "buenas", "estimado",
                "estimada", "estimados", "estimadas")
GREETINGS_NL = ("beste", "geachte", "goedemorgen", "goedemiddag", "hallo", "hoi", "dag")
GREETINGS_OTHER = ("ciao", "hej")
GREETINGS = union(GREETINGS_EN, GREETINGS_DE, GREETINGS_FR, GREETINGS_ES, GREETINGS_NL,
                  GREETINGS_OTHER)
# the bare times of day among them: 'Morning Jane,' greets, 'Morning Star Academy' is a name
TIMES_OF_DAY = ("morning", "afternoon", "evening")
# whom a greeting addresses besides a person's name ('Hi team,', 'Dear Sir or Madam')
GREETED = (
    "team", "all", "there", "everyone", "everybody", "folks", "guys", "support", "sir",
    "madam", "or", "and", "it", "ict", "desk", "helpdesk", "service", "the", "you", "zusammen",
    "damen", "und", "herren", "frau", "herr", "et", "messieurs", "mesdames", "y", "heer",
    "mevrouw", "allemaal", "todos", "equipo", "équipe", "l'équipe",
)

# Sign-offs: the line that ends the words and opens the signature
SIGN_OFFS_EN = (
    "thanks", "thank you", "thanks very much", "thanks so much", "thank you very much",
    "thank you so much", "thanks in advance", "thank you in advance", "many thanks",
    "cheers", "regards", "kind regards", "best regards", "warm regards", "warmest regards",
    "with regards", "with kind regards", "with many thanks", "best wishes", "best", "all the best",
    "sincerely", "yours sincerely", "yours faithfully", "yours truly", "yours", "speak soon",
    "ta", "thx", "tia", "many thanks in advance", "thanks again", "regards,", "respectfully",
    "have a good day", "have a nice day", "thank you for your help", "thanks for your help",
    "with thanks", "with best wishes", "kindest regards", "many thanks again",
    "thanks a lot", "thanks all", "thanks guys", "thanks team", "cheers all", "best regs",
    "regs", "rgds", "kr", "br", "diolch", "diolch yn fawr", "hoogachtend", "vriendelijke groeten",
)
SIGN_OFFS_DE = (
    "mit freundlichen grüßen", "mit freundlichen grüssen", "freundliche grüße",
    "freundliche grüsse", "mit besten grüßen", "beste grüße", "beste grüsse", "viele grüße",
    "viele grüsse", "liebe grüße", "liebe grüsse", "herzliche grüße", "herzliche grüsse",
    "sonnige grüße", "grüße", "grüsse", "gruß", "gruss", "mfg", "lg", "vg", "danke",
    "danke schön", "vielen dank", "besten dank", "mit freundlichem gruß", "freundlichst",
)
SIGN_OFFS_FR = (
    "cordialement", "bien cordialement", "salutations", "bien à vous", "bien a vous", "merci",
    "merci beaucoup", "merci d'avance", "merci par avance", "bonne journée",
    "sincères salutations", "meilleures salutations", "amicalement", "respectueusement",
)
SIGN_OFFS_ES = (
    "saludos", "un saludo", "saludos cordiales", "un cordial saludo", "atentamente",
    "gracias", "muchas gracias", "gracias de antemano", "muchas gracias de antemano",
    "quedo a la espera", "reciba un cordial saludo",
)
SIGN_OFFS_NL = (
    "met vriendelijke groet", "met vriendelijke groeten", "vriendelijke groet", "groet",
    "groeten", "hartelijke groet", "hartelijke groeten", "groetjes", "bedankt",
    "alvast bedankt", "dank je wel", "dank u wel", "mvg", "m.vr.gr",
)
SIGN_OFFS = union(SIGN_OFFS_EN, SIGN_OFFS_DE, SIGN_OFFS_FR, SIGN_OFFS_ES, SIGN_OFFS_NL)

# Phrases that offer a number to call back ('call me back on', 'rufen Sie mich unter … an'):
# a number after one is meant as a call-back number, listed by phonenumbers or not
CALLBACK_PHRASES_EN = (
    "call me", "call me back", "call me on", "call me back on", "call me at", "call back on",
    "give us a ring", "give us a call", "give us a bell", "give me a bell", "a bell on",
    "a ring on", "a call on", "ring us", "call us", "ring back on", "call back",
    "ring me", "ring me on", "ring me back", "ring me back on", "give me a call", "give me a ring",
    "reach me", "reach me on", "reach me at", "contact me on", "contact me at", "get me on",
    "get hold of me on", "text me on", "my number is", "my mobile is", "my mobile number is",
    "my phone number is", "my direct line is", "my extension is", "best number", "best number is",
    "best number to reach me", "best number to call", "best contact number", "contact number",
    "call-back number", "callback number", "call back number", "phone me on", "phone me",
    "you can call", "on my mobile", "i'm on", "i am on", "can be reached on", "can be reached at",
    "number to call", "call the office on", "call the school on", "ring the office on",
    "ring the school on", "call us on", "ring us on", "reach us on", "contact us on",
    "best on", "best to call", "best to reach me on", "i'm at", "i am at",
    "would like a call", "appreciate a call", "grateful for a call", "a call back",
    "a call-back", "a callback", "give me a shout", "give us a shout", "a shout on",
)
# a call-back verb right before the number, with nothing between ('Please ring 07700 …')
CALLBACK_VERBS = ("call", "ring", "phone", "text", "tel", "tél", "bel", "anrufen", "llamar",
                  "appeler", "rappeler", "unter")
# ...for someone else: 'could you call him on his mobile' (the requester, written for), or
# a supplier's engineer: weaker than a number the sender offers for themselves
CALLBACK_PHRASES_OTHERS = (
    "call him", "call her", "call him on", "call her on", "ring him", "ring her", "ring him on",
    "ring her on", "reach him on", "reach her on", "his mobile", "her mobile", "his number",
    "her number", "his mobile is", "her mobile is", "his number is", "her number is",
    "on his mobile", "on her mobile", "contact him on", "contact her on", "call them on",
    "ring them on", "their number is", "his direct line is", "her direct line is",
)
CALLBACK_PHRASES_DE = (
    "rufen sie mich", "rufen sie mich bitte", "zurückrufen", "rückruf unter", "rückrufnummer",
    "erreichbar unter", "erreichen sie mich unter", "meine nummer", "meine handynummer",
    "meine telefonnummer", "unter der nummer", "telefonisch unter",
)
CALLBACK_PHRASES_FR = (
    "rappeler au", "me rappeler au", "me rappeler", "joignable au", "me joindre au",
    "mon numéro", "mon portable", "mon téléphone", "au numéro", "appelez-moi au",
)
CALLBACK_PHRASES_ES = (
    "llamarme al", "llámame al", "llámeme al", "mi móvil es", "mi teléfono es", "mi número es",
    "contactarme en el", "localizarme en el", "en el número", "al número",
)
CALLBACK_PHRASES_NL = (
    "bel me", "bel me op", "bel me terug", "bel me terug op", "bereikbaar op",
    "bereikbaar via", "mijn nummer is", "mijn mobiele nummer", "terugbellen op",
    "terugbellen naar",
)
CALLBACK_PHRASES = union(CALLBACK_PHRASES_EN, CALLBACK_PHRASES_DE, CALLBACK_PHRASES_FR,
                         CALLBACK_PHRASES_ES, CALLBACK_PHRASES_NL)

# Labels of a field a customer fills in ('Name:', 'Firma:', 'Téléphone :'), per detail; a
# form's labels say whose ('Requester's full name', 'Caller name')
LABEL_OWNERS = ("requester", "requester's", "requesters", "requestor", "requestor's", "your",
                "contact", "caller", "caller's", "user", "user's", "staff", "customer",
                "customer's", "client")
_NAME_CORES = ("name", "full name")
_COMPANY_CORES = ("company", "company name", "school", "school name", "organisation",
                  "organization", "organisation name", "organization name")
NAME_LABELS = union((f"{owner} {core}" for owner in LABEL_OWNERS for core in _NAME_CORES), (
    "name", "full name", "requester", "requestor", "contact", "caller", "user", "reported by",
    "from name", "name of requester", "name of person", "person",
    "vorname und nachname", "ansprechpartner", "ansprechpartnerin", "nom", "nom complet",
    "prénom et nom", "nom et prénom", "contacto", "nombre", "nombre completo", "naam",
    "volledige naam", "contactpersoon",
))
COMPANY_LABELS = union((
    f"{owner} {core}" for owner in LABEL_OWNERS for core in _COMPANY_CORES
), (
    "company", "company name", "client", "client name", "customer", "customer name", "school",
    "school name", "organisation", "organization", "organisation name", "organization name",
    "org", "business",
    "business name", "academy", "trust", "employer", "firm", "practice", "setting",
    "firma", "unternehmen", "einrichtung", "schule", "société", "societe",
    "entreprise", "organisme", "établissement", "empresa", "organización", "centro",
    "bedrijf", "organisatie", "bedrijfsnaam",
))
SITE_LABELS = ("site", "site name", "location", "campus", "branch", "standort", "site/location")
PHONE_LABELS = (
    "phone", "phone number", "phone no", "telephone", "telephone number", "tel", "tel no",
    "tel.", "t", "m", "p", "w", "dd", "ddi", "direct", "direct dial", "direct line", "mobile",
    "mobile number", "mobile no", "mob", "mob no", "cell", "cell phone", "landline", "work",
    "office", "switchboard", "home", "whatsapp", "contact number", "contact no",
    "contact tel", "contact phone", "call-back number", "callback number", "call back number",
    "call-back", "call back", "call-back number(s)", "number to call", "number to call back",
    "best number", "ph", "extension", "ext",
    "telefon", "telefonnummer", "tel.-nr", "tel.nr", "handy", "mobil", "mobiltelefon",
    "durchwahl", "rückrufnummer", "rückruf", "téléphone", "tél", "portable",
    "ligne directe", "teléfono", "telefono", "tlf", "móvil", "movil", "extensión",
    "telefoon", "telefoonnummer", "mobiel", "mobiele nummer", "doorkiesnummer",
    "toestel",
)
DESCRIPTION_LABELS = union((
    f"{lead}description of {the}{what}" for lead in ("", "detailed ", "brief ", "short ")
    for the in ("", "the ") for what in ("issue", "problem", "fault", "request")
), (
    "description", "detailed description", "issue", "problem", "fault",
    "issue description", "problem description", "details", "symptoms", "symptom",
    "beschreibung", "fehler", "problème", "description du problème", "descripción",
    "problema", "omschrijving", "probleem",
))

# Labels of numbers that are never a call-back number: fax, registration, reference numbers
NOT_CALLBACK_LABELS = (
    "fax", "telefax", "fax no", "fax number", "télécopie", "télécopieur", "vat", "vat no",
    "vat number", "reg no", "reg. no", "registered number", "registered no",
    "registration number", "company no", "company number", "charity no", "charity number",
    "company reg", "hrb", "hra", "ust-idnr", "ust-id", "steuernummer", "st.-nr", "iban", "bic",
    "swift", "sort code", "siret", "siren", "rcs", "tva", "cif", "nif", "kvk", "btw",
    "account", "account no", "account number", "acct", "order", "order no", "order number",
    "invoice", "invoice no", "invoice number", "serial", "serial no", "serial number", "s/n",
    "sn", "ref", "reference", "ticket", "ticket no", "case", "case no", "case number", "po",
    "po number", "asset", "asset tag", "asset no", "licence", "license", "licence key",
    "product key", "customer no", "customer number", "customer id", "client no", "urn",
    "dfe", "dfe no", "ukprn", "postcode", "kundennummer", "kunden-nr", "kd.-nr",
    "rechnungsnummer", "rechnung", "bestellnummer", "auftragsnummer", "vertragsnummer",
    "seriennummer", "numéro de client", "n° client", "facture", "commande", "numéro de série",
    "pedido", "factura", "número de cliente", "número de serie", "klantnummer",
    "factuurnummer", "bestelnummer", "ordernummer", "serienummer", "ip", "ip address",
    "pin", "id", "ids",
)

# Words of a quoted mail's header block ('From:', 'Sent:', 'Betreff:') in the reader's language
REPLY_HEADER_FROM = ("from", "von", "de", "van", "da", "från", "fra")
REPLY_HEADER_SENT = ("sent", "gesendet", "envoyé", "enviado", "enviado el", "enviada",
                     "verzonden", "inviato", "skickat", "sendt")
REPLY_HEADER_DATE = ("date", "datum", "fecha", "data")
REPLY_HEADER_OTHER = ("to", "an", "à", "para", "aan", "a", "till", "til", "cc", "subject",
                      "betreff", "objet", "asunto", "onderwerp", "oggetto", "ämne", "emne",
                      "assunto")
# The verbs of an attribution line ('On … wrote:', 'Am … schrieb …:', 'Le … a écrit :') and the
# words that open one ('On', 'Am', 'Le', 'El', 'Op', …)
ATTRIBUTION_OPENINGS = ("on", "am", "le", "el", "op", "il", "em", "den")
ATTRIBUTION_VERBS = ("wrote", "a écrit", "escribió", "geschreven", "ha scritto", "escreveu")
ATTRIBUTION_VERBS_NAME_AFTER = ("schrieb", "schreef", "skrev")  # 'Am … schrieb Jane Doe:'
# The separator line above a quoted original ('-----Original Message-----')
ORIGINAL_MESSAGE = ("original message", "ursprüngliche nachricht", "original nachricht",
                    "message d'origine", "mensaje original", "oorspronkelijk bericht",
                    "messaggio originale", "mensagem original")
# Forward separators: between dashes ('---------- Forwarded message ---------') or a line alone
FORWARDED_MESSAGE = ("forwarded message", "weitergeleitete nachricht", "message transféré",
                     "mensaje reenviado", "doorgestuurd bericht", "messaggio inoltrato")
FORWARD_OPENINGS = ("begin forwarded message:", "anfang der weitergeleiteten nachricht:",
                    "début du message réexpédié :", "début du message réexpédié:")

# What phones' mail apps append, even right under the words ('Sent from my iPhone')
MOBILE_SIGNATURES = ("sent from my", "get outlook for", "envoyé de mon", "von meinem iphone",
                     "von meinem ipad", "von meinem smartphone", "von meinem samsung",
                     "von meinem android",
                     "enviado desde mi", "verzonden vanaf mijn", "verzonden met mijn",
                     "verstuurd vanaf mijn")
# How appended boilerplate opens: confidentiality notices, environmental footers, mobile
# signatures, legal footers
BOILERPLATE_OPENINGS = union(MOBILE_SIGNATURES, (
    "this email and any", "this e-mail and any", "this message and any", "this email is",
    "this e-mail is", "this message is", "this email may", "this e-mail may",
    "this message may", "this communication", "this email contains", "this e-mail contains",
    "the information in this", "the information contained in", "the contents of this",
    "confidentiality notice", "confidentiality", "confidential", "disclaimer", "important:",
    "notice:", "privileged", "if you are not the intended", "if you have received this",
    "please consider the environment", "please think before you print",
    "think before you print", "save paper", "please don't print", "please do not print",
    "sent from outlook", "sent from mail for windows", "sent from yahoo",
    "sent via", "envoyé depuis", "gesendet von", "enviado desde", "diese e-mail enthält",
    "diese e-mail kann", "diese nachricht", "dieses e-mail", "ce message et", "ce courriel",
    "ce message est", "ce message contient", "este mensaje", "este correo", "la información",
    "dit e-mailbericht", "dit bericht", "deze e-mail", "de informatie", "registered in england",
    "registered office", "registered in", "company registered", "sitz der gesellschaft",
    "registergericht", "amtsgericht", "handelsregister", "geschäftsführer:", "ust-idnr",
    "vorstand:", "aufsichtsrat", "siège social", "rcs ", "kvk", "kamer van koophandel",
    "inscrita en el registro", "registro mercantil", "we are committed to", "follow us on",
    "our privacy notice", "privacy notice", "we will never ask", "we're hiring",
    "virus", "scanned by", "this email has been scanned", "[logo]", "caution:", "external email",
    "this is an automated message", "this is an automatically generated",
    "this message was sent automatically", "please do not reply to this email",
    "do not reply to this email",
))

# How people name themselves in a sentence ('my name is Jane Doe', 'ich bin Jan Meier'); the
# weak ones also introduce products and days ('it's Adobe Acrobat', 'this is Windows Update')
SELF_NAMING = (
    "my name is", "my name's", "i am", "i'm", "name's", "mein name ist", "ich bin",
    "ich heiße", "hier spricht", "je m'appelle", "je suis", "moi c'est", "me llamo", "soy",
    "mi nombre es", "ik ben", "mijn naam is", "ik heet",
)
# Leads that name the sender only when they open a line, with their capital, as on the phone:
# Dutch 'Met Pieter Bakker van OBS De Regenboog.' ('we met Sarah Jones' is someone else)
SELF_NAMING_OPENING = ("met",)
SELF_NAMING_WEAK = ("this is", "it's", "its", "it is", "here is", "hier ist", "c'est", "aquí",
                    "hier is")
# How people say where they work ('I work at', 'calling from', 'ich arbeite bei')
AFFILIATION_LEADS = (
    "i work at", "i work for", "i work in", "i'm at", "i am at", "i'm with", "i am with",
    "i'm from", "i am from", "calling from", "writing from", "emailing from", "on behalf of",
    "here at", "we are", "we're", "our company is", "our school is", "my company is",
    "my school is", "ich arbeite bei", "ich bin bei", "wir sind", "für die firma", "von der firma",
    "je travaille chez", "je travaille pour", "je suis chez", "de la société", "pour la société",
    "trabajo en", "trabajo para", "de la empresa", "ik werk bij", "ik werk voor", "namens",
    "i run", "we run", "i own", "we own", "i manage", "owner of", "the owner of",
    "bei uns in der", "bei uns im", "bei uns in", "hier in der", "hier im",
    "escribo desde", "le escribo desde", "les escribo desde", "llamo desde", "os escribo desde",
    "je vous écris de la part de", "je vous contacte de la part de", "ich schreibe von",
    "ich schreibe im namen der", "ik mail namens", "ik schrijf namens",
    "van het bedrijf", "im auftrag von", "au nom de", "en nombre de",
)
# Leads that name the person a mail is written for ('on behalf of Mr Oliver Dunne'): that
# person is the requester
ON_BEHALF_LEADS = ("on behalf of", "for my colleague", "for my manager", "im auftrag von",
                   "im namen von", "au nom de", "de la part de", "en nombre de", "namens",
                   "forwarding for", "forwarding this for", "forwarding this from",
                   "forwarding from", "passing this on from", "please can you help",
                   "can you help", "could you help", "can someone help", "could someone help")
# The words between a person (or a role) and their organisation ('Jane Doe from Acme Ltd',
# 'teacher at Oakfield', 'Jan Meier von der Weber GmbH', 'Marie Dubois de la société X')
AFFILIATION_LINKS = (
    "from", "at", "of", "von", "bei", "aus dem", "aus der", "von der", "von der firma",
    "der firma", "de", "de la société", "de la", "chez", "van", "bij", "van het", "de la empresa",
    "en",
)
# Where, after a self-introduction in the same sentence ('I'm the Year 4 teacher at Moorside')
SELF_AT_LINKS = ("at", "from", "with", "for", "bei", "von", "chez", "de", "en", "van", "bij", "au")
# The words before a number in a sentence of the sender's about themselves ('I am in the office
# Tuesday to Thursday, on 01632 960700')
NUMBER_PREPOSITIONS = ("on", "at", "unter", "au", "al", "op")
# The same, heard only in a self-introduction that ends 'here' (North American usage): 'Kevin
# Nguyen with Two Rivers Title Co. here' ('Dave Smith with the supplier said…' is no affiliation)
INTRODUCTION_LINKS = ("with", "over at")

# What Microsoft 365 and mail gateways put above mail from outside: how the banner opens, and
# what it says (a banner says two of these, or is Microsoft's first-contact line)
BANNER_OPENINGS = (
    "external", "[external]", "caution", "warning", "notice", "external email", "external sender",
    "you don't often get email from", "this email is from", "this message is from",
    "this e-mail is from", "this email originated", "this message originated",
    "this email was sent from", "this message was sent from", "this email came from",
    "this message came from", "this e-mail came from",
)
BANNER_PHRASES = (
    "external sender", "outside of the organisation", "outside of the organization",
    "outside the organisation", "outside the organization", "outside your organisation",
    "outside your organization", "outside our organisation", "outside our organization",
    "originated from outside", "originated outside", "came from outside", "from outside",
    "do not click", "don't click", "unless you recognise", "unless you recognize",
    "learn why this is important", "be cautious", "use caution", "exercise caution",
    "careful with links", "care with links", "links and attachments", "know the content is safe",
    "verify the sender",
)

# The words between a job title and where the person holds it ('teacher at', 'Head of',
# 'secrétaire de direction au collège …')
ROLE_LINKS = ("at", "for", "of", "in", "bei", "chez", "en", "bij", "van", "au", "à la", "à l'",
              "de la", "del", "de")
# Words that stand for a job title before such a link though no title themselves
# ('secrétaire de direction au', 'Leitung bei')
ROLE_LINK_WORDS = ("direction", "dirección", "leitung")

# Mail that answers mail automatically: header and subject markers (RFC 3834 and practice)
AUTO_REPLY_MARKERS = ("auto-replied", "null return path", "x-autoreply", "x-autorespond",
                      "x-auto-response-suppress", "delivery status notification",
                      "mailer-daemon", "postmaster")

# Subject prefixes of a reply ('Re:', 'AW:', 'Antw:', '回复:') and of a forward ('Fwd:', 'WG:')
REPLY_PREFIXES = (
    "re", "aw", "antw", "antwort", "sv", "svar", "vs", "vs.", "r", "rif", "ref", "réf", "rép",
    "res", "odp", "odg", "vá", "ynt", "ilt", "απ", "σχετ", "ответ", "回复", "回覆", "答复", "答覆",
    "返信", "회신",
)
FORWARD_PREFIXES = (
    "tr", "fw", "fwd", "wg", "rv", "enc", "doorst", "fs", "vl", "vb", "i", "inoltro", "pd",
    "prs", "προωθ", "πρθ", "転送", "转发", "轉寄", "전달", "wtr",
)

# Words that may stand between a call-back phrase and its number ('call me back on the',
# 'rufen Sie mich unter', 'llámame al')
NUMBER_FILLERS = ("is", "on", "at", "or", "number", "no", "nr", "num", "me", "us", "please",
                  "pls", "direct", "the", "my", "our", "either", "via", "unter", "au", "al", "op",
                  "en", "el", "sur")
# Pieces of an answer that answer nothing ('Sure', 'Here you go'), besides greetings and
# sign-offs
ANSWER_FILLERS = ("sure", "yes", "ok", "okay", "of course", "no problem", "sorry", "apologies",
                  "here you go", "here they are", "as requested", "see below", "details below",
                  "yes please", "will do", "no idea", "not sure", "don't know", "i don't know")
# How a sentence opens, where a short piece of an answer is a sentence, not a company's name
SENTENCE_OPENINGS = ("i", "i'm", "im", "we", "we're", "my", "our", "it", "it's", "this", "that",
                     "the", "please")
# Words before a place after an organisation's name ('… de lola en triana', '… in Leeds')
PLACE_LINKS = ("en", "in", "at", "à", "a", "bei", "im", "op")
# Articles an organisation's name may be written with ('the', 'la', 'het')
ARTICLES = ("the", "a", "an", "la", "el", "le", "les", "de", "het", "der", "die", "das", "los",
            "las")
# The links of 'Title at Organisation' in a signature line
SIGNATURE_AT = ("at", "@", "bei", "chez", "en", "bij")
# Abbreviations a dot ends without ending the sentence ('Acme Co. Ltd', 'Dept. of Health')
ABBREVIATIONS = ("co", "inc", "ltd", "st", "dept", "no", "tel", "ext", "corp", "bros", "assoc")
