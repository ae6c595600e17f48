"""The connective tissue of a ticket per language: greetings, sign-offs, context, impact, asks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Framing:
    """Generic sentences that wrap any topic in one language."""

    greetings: tuple[str, ...]
    closings: tuple[str, ...]
    details: tuple[str, ...]
    impacts: tuple[str, ...]
    asks: tuple[str, ...]
    code_mentions: tuple[str, ...]
    platform_mentions: tuple[str, ...]
    version_mentions: tuple[str, ...]
    when: tuple[str, ...]
    chat_openers: tuple[str, ...]


FRAMINGS: dict[str, Framing] = {
    "en": Framing(
        greetings=("Hi,", "Hello,", "Hi there,", "Hello support team,", "Hey,", "Good morning,", "Hi {agent},",
                   "Dear Acme support,", "Hiya,", ""),
        closings=("Thanks,\n{name}", "Thank you!\n{name}", "Best regards,\n{name}", "Cheers,\n{name}", "Thx",
                  "Kind regards,\n{name}", "Thanks in advance.", "-- {name}", "Regards,\n{name}", ""),
        details=("I already tried logging out and back in.", "Restarting didn't help.", "I cleared the cache too.",
                 "It started {when}.", "It happens every time.", "It happened twice today.",
                 "My colleagues see the same thing.", "Not sure if it's just me.",
                 "I reinstalled the app, same result.", "It was working fine before."),
        impacts=("This is blocking our whole team.", "We have a client deadline this week.",
                 "Not urgent, but annoying.", "It's costing us a lot of time.", "Pretty frustrating to be honest.",
                 "I need this fixed today, please.", "We rely on this every day."),
        asks=("Can you help?", "Is this a known issue?", "Please advise.", "Any idea what's going on?",
              "What should I do?", "Could you look into it?", "Is there a workaround?", "Please fix asap!!"),
        code_mentions=("The error says {code}.", "Error code: {code}.", "I get this message: \"{message}\"",
                       "It shows {code} ({message}).", "The app says \"{message}\"."),
        platform_mentions=("I'm using {platform_label}.", "This is on {platform_label}.",
                           "Happens on {platform_label}.", "(on {platform_label})"),
        version_mentions=("App version {version}.", "I'm on version {version}.", "(version {version})",
                          "Running {version}, the latest I think."),
        when=("this morning", "yesterday", "a couple of hours ago", "after the weekend", "on {weekday}",
              "today", "last night", "a few days ago"),
        chat_openers=("hi", "hey", "hello", "quick q", "hi, need help", ""),
    ),
    "de": Framing(
        greetings=("Hallo,", "Guten Tag,", "Hallo zusammen,", "Sehr geehrte Damen und Herren,", "Moin,"),
        closings=("Viele Grüße\n{name}", "Danke und Gruß\n{name}", "Mit freundlichen Grüßen\n{name}", "LG {name}"),
        details=("Ich habe mich schon ab- und wieder angemeldet.", "Ein Neustart hilft nicht.",
                 "Es ist {when} passiert.", "Meine Kollegen haben dasselbe Problem."),
        impacts=("Das blockiert unser ganzes Team.", "Es ist dringend.", "Nicht dringend, aber lästig."),
        asks=("Können Sie helfen?", "Ist das ein bekanntes Problem?", "Was kann ich tun?"),
        code_mentions=("Die Fehlermeldung lautet {code}.", "Fehlercode: {code}."),
        platform_mentions=("Ich nutze {platform_label}.", "Das passiert auf {platform_label}."),
        version_mentions=("Version {version}.", "Ich habe die Version {version}."),
        when=("heute früh", "gestern", "vor ein paar Stunden", "am {weekday}"),
        chat_openers=("hallo", "hi", ""),
    ),
    "fr": Framing(
        greetings=("Bonjour,", "Bonjour à tous,", "Madame, Monsieur,", "Salut,"),
        closings=("Merci,\n{name}", "Cordialement,\n{name}", "Bien à vous,\n{name}", "Merci d'avance"),
        details=("J'ai déjà essayé de me déconnecter et de me reconnecter.", "Le redémarrage n'a rien changé.",
                 "C'est arrivé {when}.", "Mes collègues ont le même problème."),
        impacts=("Toute l'équipe est bloquée.", "C'est assez urgent.", "Pas urgent mais pénible."),
        asks=("Pouvez-vous m'aider ?", "Est-ce un problème connu ?", "Que dois-je faire ?"),
        code_mentions=("Le message d'erreur est {code}.", "Code d'erreur : {code}."),
        platform_mentions=("J'utilise {platform_label}.", "Cela arrive sur {platform_label}."),
        version_mentions=("Version {version}.", "J'ai la version {version}."),
        when=("ce matin", "hier", "il y a quelques heures", "{weekday}"),
        chat_openers=("bonjour", "salut", ""),
    ),
    "es": Framing(
        greetings=("Hola,", "Buenos días,", "Hola equipo,", "Estimados:"),
        closings=("Gracias,\n{name}", "Saludos,\n{name}", "Un saludo,\n{name}", "Muchas gracias"),
        details=("Ya probé a cerrar sesión y volver a entrar.", "Reiniciar no sirvió de nada.",
                 "Empezó {when}.", "A mis compañeros les pasa lo mismo."),
        impacts=("Esto bloquea a todo el equipo.", "Es bastante urgente.", "No es urgente, pero molesta."),
        asks=("¿Me pueden ayudar?", "¿Es un problema conocido?", "¿Qué puedo hacer?"),
        code_mentions=("El error dice {code}.", "Código de error: {code}."),
        platform_mentions=("Uso {platform_label}.", "Me pasa en {platform_label}."),
        version_mentions=("Versión {version}.", "Tengo la versión {version}."),
        when=("esta mañana", "ayer", "hace unas horas", "el {weekday}"),
        chat_openers=("hola", ""),
    ),
}
WEEKDAYS: dict[str, tuple[str, ...]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}
AGENTS = ("Sam", "Alex", "Jordan", "Taylor", "Morgan")
PHONE_NOTES = (
    "Walked through basic troubleshooting, no luck.", "Promised a follow-up by email.",
    "Customer was calm but wants an update today.", "Escalating to tier 2.",
    "Customer sounded very frustrated.", "Asked them to send screenshots.",
)
# Word-level paraphrases applied at random (English only): people say the same thing many ways.
SYNONYMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("doesn't work", ("isn't working", "is broken", "does not work", "won't work", "stopped working")),
    ("can't", ("cannot", "can not", "am unable to", "cant")),
    ("app", ("application", "app", "tool")),
    ("error", ("error", "error message", "failure")),
    ("again", ("again", "once more")),
    ("fails", ("fails", "breaks", "errors out", "doesn't go through")),
    ("please", ("please", "pls", "kindly")),
    ("immediately", ("right away", "instantly", "immediately")),
    ("a few", ("a couple of", "some", "a few")),
)
