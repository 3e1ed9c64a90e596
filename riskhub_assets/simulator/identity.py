"""Fake but plausible personal data: names, addresses, e-mails, phone numbers and national ids."""

import unicodedata

import numpy as np

COUNTRIES = ("FR", "BE", "DE", "ES", "IT", "GB", "CH", "NL", "US")
"""Countries of residence; the bank's home market, France, comes first."""
COUNTRY_WEIGHTS = (0.86, 0.03, 0.03, 0.02, 0.02, 0.015, 0.01, 0.01, 0.005)

_FR_FIRST = (
    "Jean Marie Pierre Sophie Nicolas Camille Julien Claire Thomas Nathalie Antoine Isabelle Laurent Chloé "
    "Mathieu Émilie Sébastien Céline François Hélène Olivier Manon Philippe Léa Hugo Inès Lucas Aurélie "
    "Maxime Juliette Alain Élodie Bernard Margaux Christophe Anaïs Romain Sylvie Théo Agnès"
).split()
_FR_LAST = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèvre Michel "
    "Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefebvre Mercier Dupont Lambert Bonnet "
    "François Martinez Legrand Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel Nicolas Perrin Morin"
).split()
_PEOPLE = {
    "FR": (_FR_FIRST, _FR_LAST),
    "BE": (
        "Lucas Emma Louis Olivia Arthur Elena Noah Louise Victor Alice".split(),
        "Peeters Janssens Maes Jacobs Mertens Willems Claes Goossens Wouters Dubois".split(),
    ),
    "DE": (
        "Lukas Anna Felix Marie Jonas Lena Paul Laura Leon Julia".split(),
        "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann".split(),
    ),
    "ES": (
        "Hugo Lucía Martín Sofía Pablo Martina Daniel María Alejandro Paula".split(),
        "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Ruiz".split(),
    ),
    "IT": (
        "Leonardo Giulia Francesco Aurora Alessandro Ginevra Lorenzo Sofia Mattia Beatrice".split(),
        "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco".split(),
    ),
    "GB": (
        "Oliver Amelia George Isla Harry Ava Jack Emily Charlie Grace".split(),
        "Smith Jones Taylor Brown Williams Wilson Johnson Davies Evans Walker".split(),
    ),
    "CH": (
        "Noah Mia Liam Emma Luca Lina Elias Lea Gabriel Sara".split(),
        "Müller Meier Schmid Keller Weber Huber Schneider Meyer Steiner Fischer".split(),
    ),
    "NL": (
        "Daan Emma Sem Julia Lucas Mila Levi Tess Finn Sophie".split(),
        "De Jong Jansen De Vries Van den Berg Bakker Visser Smit Meijer Mulder Bos".split(),
    ),
    "US": (
        "James Olivia Michael Emma William Ava David Sophia John Mia".split(),
        "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor".split(),
    ),
}
_PLACES = {  # country: (streets, [(postcode, city)], phone prefix, mail domains)
    "FR": (
        (
            "rue de la République",
            "avenue Victor Hugo",
            "rue Pasteur",
            "boulevard Gambetta",
            "rue des Lilas",
            "place de la Mairie",
            "rue Jean Jaurès",
            "chemin des Vignes",
            "allée des Tilleuls",
            "rue du Moulin",
        ),
        (
            ("75011", "Paris"),
            ("75015", "Paris"),
            ("69003", "Lyon"),
            ("13008", "Marseille"),
            ("31000", "Toulouse"),
            ("33000", "Bordeaux"),
            ("59000", "Lille"),
            ("44000", "Nantes"),
            ("67000", "Strasbourg"),
            ("35000", "Rennes"),
            ("06000", "Nice"),
            ("34000", "Montpellier"),
        ),
        "+336",
        ("orange.fr", "free.fr", "gmail.com", "laposte.net", "sfr.fr"),
    ),
    "BE": (
        ("Rue Royale", "Kerkstraat", "Avenue Louise"),
        (("1000", "Bruxelles"), ("2000", "Antwerpen")),
        "+324",
        ("skynet.be", "gmail.com"),
    ),
    "DE": (
        ("Hauptstraße", "Bahnhofstraße", "Gartenweg"),
        (("10115", "Berlin"), ("80331", "München")),
        "+4915",
        ("web.de", "gmx.de"),
    ),
    "ES": (
        ("Calle Mayor", "Gran Vía", "Calle del Sol"),
        (("28013", "Madrid"), ("08001", "Barcelona")),
        "+346",
        ("gmail.com", "hotmail.es"),
    ),
    "IT": (
        ("Via Roma", "Corso Italia", "Via Garibaldi"),
        (("00184", "Roma"), ("20121", "Milano")),
        "+393",
        ("libero.it", "gmail.com"),
    ),
    "GB": (
        ("High Street", "Station Road", "Church Lane"),
        (("SW1A 1AA", "London"), ("M1 1AE", "Manchester")),
        "+447",
        ("gmail.com", "outlook.com"),
    ),
    "CH": (
        ("Bahnhofstrasse", "Rue du Rhône"),
        (("8001", "Zürich"), ("1204", "Genève")),
        "+417",
        ("bluewin.ch", "gmail.com"),
    ),
    "NL": (
        ("Kerkstraat", "Dorpsstraat", "Molenweg"),
        (("1012", "Amsterdam"), ("3011", "Rotterdam")),
        "+316",
        ("ziggo.nl", "gmail.com"),
    ),
    "US": (
        ("Main Street", "Oak Avenue", "Maple Drive"),
        (("10001", "New York NY"), ("94103", "San Francisco CA")),
        "+1212",
        ("gmail.com", "yahoo.com"),
    ),
}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def addresses(rng: np.random.Generator, countries: np.ndarray) -> np.ndarray:
    """One-line postal addresses in each client's country of residence."""
    out = np.empty(len(countries), dtype=object)
    numbers = rng.integers(1, 180, len(countries))
    picks = rng.random((len(countries), 2))
    for i, (country, number, (u, v)) in enumerate(zip(countries, numbers, picks)):
        streets, cities, _, _ = _PLACES[country]
        postcode, city = cities[int(v * len(cities))]
        out[i] = f"{number} {streets[int(u * len(streets))]} {postcode} {city}"
    return out


def people(rng: np.random.Generator, birth: np.ndarray, numbers: np.ndarray) -> dict[str, np.ndarray]:
    """Residence country, name, address, e-mail, phone and national id for clients with these birth dates."""
    n = len(birth)
    countries = np.asarray(COUNTRIES, dtype=object)[rng.choice(len(COUNTRIES), n, p=COUNTRY_WEIGHTS)]
    picks = rng.random((n, 4))
    digits = rng.integers(0, 10**9, n)
    no_email = rng.random(n) < 0.08
    no_phone = rng.random(n) < 0.05
    years = birth.astype("datetime64[Y]").astype(int) + 1970
    months = birth.astype("datetime64[M]").astype(int) % 12 + 1
    names, emails, phones, ids = (np.empty(n, dtype=object) for _ in range(4))
    for i in range(n):
        country = countries[i]
        firsts, lasts = _PEOPLE[country]
        _, _, prefix, domains = _PLACES[country]
        first, last = firsts[int(picks[i, 0] * len(firsts))], lasts[int(picks[i, 1] * len(lasts))]
        names[i] = f"{first} {last}"
        if not no_email[i]:
            emails[i] = f"{_ascii(first)}.{_ascii(last)}{digits[i] % 100}@{domains[int(picks[i, 2] * len(domains))]}"
        if not no_phone[i]:
            phones[i] = f"{prefix}{digits[i]:09d}"[:12]  # 11 digits after the +
        if country == "FR":
            sex = 1 + int(picks[i, 3] < 0.5)
            ids[i] = f"{sex}{years[i] % 100:02d}{months[i]:02d}{digits[i] % 95 + 1:02d}{numbers[i] % 10**6:06d}"
        else:
            ids[i] = f"{country}{numbers[i] % 10**7:07d}{digits[i] % 1000:03d}"
    return {
        "country": countries,
        "full_name": names,
        "address": addresses(rng, countries),
        "email": emails,
        "phone": phones,
        "national_id": ids,
    }
