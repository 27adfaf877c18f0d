// Nederlands (B1): korte zinnen, gewone woorden, "je" en "jij". Dit is de standaardtaal.
// `{naam}`-plekken worden ingevuld door t(); de sleutels zijn Engels.

export const nl = {
  'app.name': 'Werkplaats',
  'app.skip': 'Naar de inhoud',
  'lang.switch': 'English',
  'lang.switchLabel': 'Switch to English',
  'common.busy': 'Even geduld…',
  'common.toStart': 'Naar de startpagina',
  'common.copy': 'Kopieer',
  'common.copied': 'Gekopieerd',
  'common.copyFailed': 'Kopiëren lukt niet. Selecteer de tekst en kopieer hem zelf.',

  'start.intro': 'Samen werken aan een workshop. In de zaal en op afstand.',
  'start.join.heading': 'Meedoen',
  'start.join.code': 'Code van de sessie',
  'start.join.codeHint': 'Je vindt de code op het scherm of in de uitnodiging. Hoofdletters en spaties maken niet uit.',
  'start.join.name': 'Je naam',
  'start.join.nameHint': 'Deze naam zien de anderen.',
  'start.join.submit': 'Meedoen',
  'start.create.heading': 'Zelf een sessie maken',
  'start.create.intro': 'Jij bent dan de begeleider. Je krijgt een code voor de anderen.',
  'start.create.title': 'Naam van de sessie',
  'start.create.titleHint': 'Bijvoorbeeld: IDO en Taalhuis. Mag je leeg laten.',
  'start.create.submit': 'Sessie maken',
  'start.recent.heading': 'Verder waar je was',
  'start.recent.open': 'Open {title}',
  'start.recent.as': 'als {role}',

  'error.codeInvalid': 'Deze code klopt niet. Een code heeft 6 tekens, bijvoorbeeld KXR 4TW.',
  'error.nameMissing': 'Vul je naam in.',
  'error.codeNotFound': 'Er is geen sessie met deze code. Kijk of de code goed is.',
  'error.rateLimited': 'Te veel pogingen. Probeer het over {seconds} seconden opnieuw.',
  'error.network': 'Er is geen verbinding. Kijk of je internet hebt en probeer het opnieuw.',
  'error.unavailable': 'Dat lukt nu niet. Probeer het over een minuut opnieuw.',
  'error.heading': 'Er ging iets mis',

  'join.heading': 'Meedoen met sessie {code}',
  'join.intro': 'Vul je naam in. Meer is niet nodig.',
  'join.otherCode': 'Andere code invullen',

  'session.untitled': 'Werkplaats-sessie',
  'session.connecting': 'Verbinden met de sessie…',
  'session.youAre': 'Je doet mee als {name} ({role}).',
  'role.facilitator': 'begeleider',
  'role.co_facilitator': 'begeleider',
  'role.participant': 'deelnemer',
  'role.display': 'scherm',

  'status.offline': 'Je bent offline. Wat je typt, blijft bewaard.',
  'status.reconnecting': 'De verbinding is even weg. We proberen het opnieuw. Wat je typt, blijft bewaard.',
  'status.back': 'Je bent weer verbonden.',
  'status.lost': 'De verbinding is weg.',

  'stopped.unauthorized.title': 'Deze link werkt niet meer',
  'stopped.unauthorized.body': 'Doe opnieuw mee met de code van de sessie. Of vraag de begeleider om een nieuwe link.',
  'stopped.not_found.title': 'Deze sessie bestaat niet',
  'stopped.not_found.body': 'Kijk of de link goed is. Of vraag de begeleider om de code.',
  'stopped.deleted.title': 'Deze sessie is gewist',
  'stopped.deleted.body': 'De begeleider heeft de sessie verwijderd. Alles wat erin stond, is weg.',
  'stopped.outdated.title': 'Deze pagina is te oud',
  'stopped.outdated.body': 'Laad de pagina opnieuw. Wat je typte, staat al op de server.',
  'stopped.reload': 'Pagina opnieuw laden',

  'noSeat.title': 'Je hebt nog geen plek in deze sessie',
  'noSeat.body': 'Op dit apparaat ben je nog niet aangemeld. Doe mee met de code van de sessie.',

  'people.heading': 'Wie is er?',
  'people.you': '(jij)',
  'people.count.one': '1 persoon aanwezig',
  'people.count.other': '{n} personen aanwezig',

  'notes.heading': 'Gedeelde notities',
  'notes.label': 'Notities van de groep',
  'notes.hint': 'Iedereen kan hier typen. Je ziet elkaars tekst meteen.',
  'notes.alsoHere': 'Typt hier ook:',
  'notes.empty': 'Nog geen notities.',
  'notes.readOnly': 'Alleen lezen',

  'share.heading': 'Anderen uitnodigen',
  'share.code': 'Code',
  'share.participantLink': 'Link voor deelnemers',
  'share.displayHeading': 'Scherm voor de zaal',
  'share.displayHint': 'Open dit op de computer van de beamer. Iedereen ziet dan de code.',
  'share.openDisplay': 'Open het scherm',
  'share.displayLink': 'Link voor het scherm',

  'display.joinWith': 'Doe mee met de code',
  'display.joinAt': 'Ga naar {host}',
  'display.notesHeading': 'Notities',
} as const;

export type MessageKey = keyof typeof nl;
