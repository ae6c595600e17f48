"""German, French and Spanish versions of the demo's approved workarounds: (title, steps) per locale.

Each translation has the same numbered steps as its English note (loading checks it). Incident notes keep
the placeholders {version}, {previous_version} and {platform_label} (filled per locale from
``PLATFORM_LABELS``); release regressions share one text with {action} and {step} per regression.
"""

from __future__ import annotations

Text = tuple[str, str]  # (title, steps)

PLATFORM_LABELS = {
    "de": {"web": "Web-App", "ios": "iOS-App", "android": "Android-App", "windows": "Windows-App", "macos": "Mac-App"},
    "fr": {"web": "app web", "ios": "app iOS", "android": "app Android", "windows": "app Windows", "macos": "app Mac"},
    "es": {"web": "app web", "ios": "app de iOS", "android": "app de Android", "windows": "app de Windows",
           "macos": "app de Mac"},
}

INCIDENT_TRANSLATIONS: dict[str, dict[str, Text]] = {
    "pdf_export_timeout": {
        "de": ("PDF-Exporte brechen ab: So kommen Sie trotzdem an Ihr Dokument",
               "PDF-Exporte brechen in vielen Workspaces gerade mit einer Zeitüberschreitung ab. Bis das behoben ist:\n\n"
               "1. Öffnen Sie das Projekt und wählen Sie stattdessen **Export → CSV**; CSV-Exporte sind nicht betroffen.\n"
               "2. Wenn Sie ein PDF brauchen, filtern Sie das Board auf einen Abschnitt (**Ansicht → Filter → Abschnitt**) "
               "und exportieren Sie jeden Abschnitt einzeln; kleinere Exporte werden rechtzeitig fertig.\n"
               "3. Kommen Sie nicht weiter? Antworten Sie auf diese E-Mail mit dem Projektnamen, dann schicken wir "
               "Ihnen das PDF selbst.\n"),
        "fr": ("Les exports PDF expirent : obtenez votre document autrement",
               "Les exports PDF expirent en ce moment dans de nombreux espaces de travail. En attendant la correction :\n\n"
               "1. Ouvrez le projet et choisissez plutôt **Export → CSV** ; les exports CSV ne sont pas touchés.\n"
               "2. Si vous avez besoin d'un PDF, filtrez le tableau sur une section (**Affichage → Filtre → Section**) "
               "et exportez chaque section séparément ; les petits exports se terminent à temps.\n"
               "3. Toujours bloqué ? Répondez à cet e-mail avec le nom du projet et nous vous enverrons le PDF "
               "nous-mêmes.\n"),
        "es": ("Las exportaciones a PDF se agotan: obtenga su documento de otra forma",
               "Las exportaciones a PDF están agotando el tiempo de espera en muchos espacios de trabajo. "
               "Mientras lo corregimos:\n\n"
               "1. Abra el proyecto y elija **Exportar → CSV**; las exportaciones CSV no están afectadas.\n"
               "2. Si necesita un PDF, filtre el tablero por una sección (**Vista → Filtro → Sección**) y exporte cada "
               "sección por separado; las exportaciones pequeñas terminan a tiempo.\n"
               "3. ¿Sigue sin poder? Responda a este correo con el nombre del proyecto y le enviaremos el PDF "
               "nosotros mismos.\n"),
    },
    "search_timeout": {
        "de": ("Die Suche ist langsam oder bricht ab: So finden Sie Aufgaben trotzdem",
               "Die Suche ist gerade überlastet. In der Zwischenzeit:\n\n"
               "1. Nutzen Sie den **Filter** des Projekts (oben rechts) nach Zuständigen, Schlagwort oder "
               "Fälligkeitsdatum; Filter brauchen die Suche nicht.\n"
               "2. Drücken Sie **Strg/⌘ + K** und tippen Sie den Projektnamen, um direkt zu einem Projekt zu springen.\n"
               "3. Legen Sie Lesezeichen für gespeicherte Ansichten an, die Sie oft nutzen, dann müssen Sie nicht "
               "danach suchen.\n"),
        "fr": ("La recherche est lente ou expire : trouvez vos tâches autrement",
               "La recherche est surchargée en ce moment. En attendant :\n\n"
               "1. Utilisez le **Filtre** du projet (en haut à droite) par responsable, étiquette ou échéance ; les "
               "filtres n'utilisent pas la recherche.\n"
               "2. Appuyez sur **Ctrl/⌘ + K** et tapez le nom du projet pour y aller directement.\n"
               "3. Ajoutez aux favoris les vues enregistrées que vous utilisez souvent, pour ne plus avoir à les "
               "chercher.\n"),
        "es": ("La búsqueda va lenta o se agota: encuentre sus tareas de otra forma",
               "La búsqueda está sobrecargada en este momento. Mientras tanto:\n\n"
               "1. Use el **Filtro** del proyecto (arriba a la derecha) por responsable, etiqueta o fecha de "
               "vencimiento; los filtros no usan la búsqueda.\n"
               "2. Pulse **Ctrl/⌘ + K** y escriba el nombre del proyecto para ir directamente a él.\n"
               "3. Guarde en favoritos las vistas que usa a menudo, así no tendrá que buscarlas.\n"),
    },
    "calendar_sync_forbidden": {
        "de": ("Die Kalendersynchronisierung wird abgelehnt: So behalten Sie Ihre Termine im Blick",
               "Der Kalenderanbieter lehnt unsere Kalenderanbindung bei einigen Konten gerade ab. Bis das behoben ist:\n\n"
               "1. Öffnen Sie **Einstellungen → Integrationen → Kalender** und kopieren Sie die **iCal-Feed-URL**.\n"
               "2. Wählen Sie in Google Kalender **Weitere Kalender → Per URL** und fügen Sie sie ein; dieser Feed "
               "zum Lesen funktioniert weiter.\n"
               "3. Entfernen Sie den Feed wieder, sobald wir Ihnen sagen, dass die Synchronisierung zurück ist, damit "
               "Termine nicht doppelt erscheinen.\n"),
        "fr": ("La synchronisation de l'agenda est refusée : gardez vos dates sous les yeux",
               "Le fournisseur d'agenda refuse notre connecteur pour certains comptes. En attendant la correction :\n\n"
               "1. Ouvrez **Paramètres → Intégrations → Agenda** et copiez l'**URL du flux iCal**.\n"
               "2. Dans Google Agenda, choisissez **Autres agendas → À partir de l'URL** et collez-la ; ce flux en "
               "lecture seule continue de fonctionner.\n"
               "3. Supprimez ce flux dès que nous vous annonçons le retour de la synchronisation, pour que les dates "
               "n'apparaissent pas en double.\n"),
        "es": ("La sincronización del calendario se rechaza: tenga sus fechas a la vista",
               "El proveedor de calendario está rechazando nuestro conector en algunas cuentas. Mientras lo corregimos:\n\n"
               "1. Abra **Configuración → Integraciones → Calendario** y copie la **URL del feed iCal**.\n"
               "2. En Google Calendar elija **Otros calendarios → Desde URL** y péguela; este feed de solo lectura "
               "sigue funcionando.\n"
               "3. Elimine ese feed cuando le avisemos de que la sincronización ha vuelto, para que las fechas no "
               "aparezcan dos veces.\n"),
    },
    "attachment_limit_rejected": {
        "de": ("Anhänge über 25 MB werden abgelehnt: So teilen Sie große Dateien jetzt",
               "Eine Änderung auf unserer Seite lehnt seitdem Anhänge über 25 MB ab. Bis sie zurückgenommen ist:\n\n"
               "1. Komprimieren Sie die Datei (Rechtsklick → **Komprimieren** / **Senden an → ZIP-komprimierter "
               "Ordner**) und laden Sie die ZIP-Datei hoch, wenn sie kleiner als 25 MB ist.\n"
               "2. Größere Dateien laden Sie in Ihren Cloud-Speicher und fügen den Freigabelink in die Aufgabe ein; "
               "die Vorschau des Links erscheint wie ein Anhang.\n"
               "3. Dateien, die Sie früher angehängt haben, sind sicher und lassen sich weiter öffnen.\n"),
        "fr": ("Les pièces jointes de plus de 25 Mo sont refusées : comment partager de gros fichiers",
               "Une modification de notre côté refuse depuis peu les pièces jointes de plus de 25 Mo. En attendant "
               "son retrait :\n\n"
               "1. Compressez le fichier (clic droit → **Compresser** / **Envoyer vers → Dossier compressé**) et "
               "envoyez le zip s'il fait moins de 25 Mo.\n"
               "2. Pour les fichiers plus gros, déposez-les sur votre espace cloud et collez le lien de partage dans "
               "la tâche ; l'aperçu du lien s'affiche comme une pièce jointe.\n"
               "3. Les fichiers que vous avez joints avant sont en sécurité et s'ouvrent toujours.\n"),
        "es": ("Se rechazan los adjuntos de más de 25 MB: cómo compartir archivos grandes ahora",
               "Un cambio por nuestra parte empezó a rechazar los adjuntos de más de 25 MB. Hasta que lo revirtamos:\n\n"
               "1. Comprima el archivo (clic derecho → **Comprimir** / **Enviar a → Carpeta comprimida**) y suba el "
               "zip si ocupa menos de 25 MB.\n"
               "2. Para archivos más grandes, súbalos a su nube y pegue el enlace para compartir en la tarea; la "
               "vista previa del enlace aparece como un adjunto.\n"
               "3. Los archivos que adjuntó antes están a salvo y se pueden seguir abriendo.\n"),
    },
    "calendar_token_refresh": {
        "de": ("Google Kalender getrennt: In drei Schritten wieder verbinden",
               "Eine Änderung bei der Erneuerung von Google-Anmeldungen hat einige Kalender getrennt.\n\n"
               "1. Öffnen Sie **Einstellungen → Integrationen → Google Kalender** und klicken Sie auf **Trennen**.\n"
               "2. Öffnen Sie in Ihrem Google-Konto die Seite **Zugriff durch Drittanbieter** und entfernen Sie "
               "*Acme Projects*.\n"
               "3. Verbinden Sie den Kalender in Acme Projects neu; Ihre Fälligkeitstermine erscheinen nach wenigen "
               "Minuten wieder.\n"),
        "fr": ("Google Agenda déconnecté : reconnectez-le en trois étapes",
               "Une modification dans le renouvellement des connexions Google a déconnecté certains agendas.\n\n"
               "1. Ouvrez **Paramètres → Intégrations → Google Agenda** et cliquez sur **Déconnecter**.\n"
               "2. Sur la page **Accès tiers** de votre compte Google, supprimez *Acme Projects*.\n"
               "3. Connectez de nouveau l'agenda depuis Acme Projects ; vos échéances réapparaissent en quelques "
               "minutes.\n"),
        "es": ("Google Calendar desconectado: vuelva a conectarlo en tres pasos",
               "Un cambio en cómo renovamos los inicios de sesión de Google desconectó algunos calendarios.\n\n"
               "1. Abra **Configuración → Integraciones → Google Calendar** y haga clic en **Desconectar**.\n"
               "2. En la página **Acceso de terceros** de su cuenta de Google, elimine *Acme Projects*.\n"
               "3. Conecte de nuevo el calendario desde Acme Projects; sus fechas de vencimiento vuelven a aparecer "
               "en unos minutos.\n"),
    },
    "search_index_unavailable": {
        "de": ("Die Suche meldet einen fehlenden Index: So arbeiten Sie weiter, während wir ihn neu aufbauen",
               "Wir bauen den Suchindex einiger Workspaces gerade neu auf.\n\n"
               "1. Nutzen Sie die **Filter** eines Projekts (Zuständige, Schlagwort, Fälligkeit); sie funktionieren "
               "ohne den Index.\n"
               "2. Springen Sie mit **Strg/⌘ + K** und dem Projektnamen direkt zu Projekten.\n"
               "3. Die Suche kommt von selbst zurück, sobald der Neuaufbau fertig ist; Sie müssen nichts neu "
               "installieren.\n"),
        "fr": ("La recherche indique un index indisponible : continuez pendant la reconstruction",
               "Nous reconstruisons l'index de recherche de certains espaces de travail.\n\n"
               "1. Utilisez les **Filtres** d'un projet (responsable, étiquette, échéance) ; ils fonctionnent sans "
               "l'index.\n"
               "2. Allez directement à un projet avec **Ctrl/⌘ + K** et le nom du projet.\n"
               "3. La recherche revient d'elle-même à la fin de la reconstruction ; il n'y a rien à réinstaller.\n"),
        "es": ("La búsqueda dice que el índice no está disponible: siga trabajando mientras lo reconstruimos",
               "Estamos reconstruyendo el índice de búsqueda de algunos espacios de trabajo.\n\n"
               "1. Use los **Filtros** de un proyecto (responsable, etiqueta, fecha de vencimiento); funcionan sin "
               "el índice.\n"
               "2. Vaya directamente a un proyecto con **Ctrl/⌘ + K** y el nombre del proyecto.\n"
               "3. La búsqueda vuelve sola cuando termine la reconstrucción; no hay nada que reinstalar.\n"),
    },
    "digest_template_error": {
        "de": ("Die tägliche Übersicht per E-Mail kommt nicht: So sehen Sie Ihren Tag auf einen Blick",
               "Ein Fehler auf unserer Seite hat die tägliche Übersicht gestoppt.\n\n"
               "1. Öffnen Sie **Meine Aufgaben → Heute**; dort steht dieselbe Liste, die die Übersicht geschickt "
               "hätte.\n"
               "2. Schalten Sie unter **Einstellungen → Benachrichtigungen** die **Push-Erinnerungen** für "
               "Fälligkeiten ein.\n"
               "3. Die Übersicht startet nach der Korrektur von selbst wieder; Sie müssen nichts umstellen.\n"),
        "fr": ("Le récapitulatif quotidien n'est plus envoyé : voyez votre journée d'un coup d'œil",
               "Une erreur de notre côté a arrêté le récapitulatif quotidien.\n\n"
               "1. Ouvrez **Mes tâches → Aujourd'hui** pour la même liste que le récapitulatif vous aurait envoyée.\n"
               "2. Activez les **rappels push** des échéances dans **Paramètres → Notifications**.\n"
               "3. Le récapitulatif reprend tout seul après la correction ; aucun réglage à changer.\n"),
        "es": ("No se envía el resumen diario: vea su día de un vistazo",
               "Un error por nuestra parte detuvo el resumen diario.\n\n"
               "1. Abra **Mis tareas → Hoy** para ver la misma lista que le habría enviado el resumen.\n"
               "2. Active los **recordatorios push** de las fechas de vencimiento en **Configuración → "
               "Notificaciones**.\n"
               "3. El resumen vuelve a enviarse solo cuando esté corregido; no hay que cambiar ningún ajuste.\n"),
    },
    "csv_export_encoding": {
        "de": ("Der CSV-Export bricht mit einem Zeichenfehler ab: So exportieren Sie trotzdem",
               "CSV-Exporte schlagen fehl, wenn Aufgabentitel bestimmte Sonderzeichen enthalten.\n\n"
               "1. Wählen Sie **Export → Excel (.xlsx)**; damit funktioniert jedes Zeichen.\n"
               "2. Oder nutzen Sie **Export → JSON**, wenn Sie die Daten in ein anderes Programm laden.\n"
               "3. Wir sagen Ihnen Bescheid, sobald CSV-Exporte wieder funktionieren.\n"),
        "fr": ("L'export CSV s'arrête sur une erreur d'encodage : exportez autrement",
               "Les exports CSV échouent quand les titres des tâches contiennent certains caractères spéciaux.\n\n"
               "1. Choisissez **Export → Excel (.xlsx)** ; il gère tous les caractères.\n"
               "2. Ou utilisez **Export → JSON** si vous chargez les données dans un autre outil.\n"
               "3. Nous vous prévenons dès que les exports CSV fonctionnent de nouveau.\n"),
        "es": ("La exportación CSV se detiene con un error de codificación: exporte de otra forma",
               "Las exportaciones CSV fallan cuando los títulos de las tareas tienen algunos caracteres especiales.\n\n"
               "1. Elija **Exportar → Excel (.xlsx)**; admite todos los caracteres.\n"
               "2. O use **Exportar → JSON** si carga los datos en otra herramienta.\n"
               "3. Le avisaremos cuando las exportaciones CSV vuelvan a funcionar.\n"),
    },
}

# Release regressions: one text per locale with {action} and {step} from REGRESSION_WORDS.
REGRESSION_TEXT: dict[str, Text] = {
    "de": ("Die {platform_label} {version} stürzt ab, wenn Sie {action}: So arbeiten Sie weiter",
           "Version {version} der {platform_label} hat einen Fehler, durch den sie abstürzt; {previous_version} hat "
           "ihn nicht, und eine korrigierte Version ist unterwegs.\n\n"
           "1. {step}\n"
           "2. Bis die Korrektur da ist, nutzen Sie Acme Projects im Browser unter app.acme-projects.test; dort ist "
           "Ihre ganze Arbeit.\n"
           "3. Installieren Sie das nächste Update nach {version}, sobald es erscheint: Es behebt den Absturz.\n"),
    "fr": ("L'{platform_label} {version} plante quand vous {action} : comment continuer à travailler",
           "La version {version} de l'{platform_label} a un bug qui la fait planter ; la {previous_version} ne l'a "
           "pas, et une version corrigée arrive.\n\n"
           "1. {step}\n"
           "2. En attendant la correction, utilisez Acme Projects dans votre navigateur sur app.acme-projects.test ; "
           "tout votre travail s'y trouve.\n"
           "3. Installez la mise à jour qui suivra la {version} dès qu'elle arrive : elle corrige le plantage.\n"),
    "es": ("La {platform_label} {version} se cierra cuando {action}: cómo seguir trabajando",
           "La versión {version} de la {platform_label} tiene un error que la hace cerrarse; la {previous_version} "
           "no lo tiene, y ya viene una versión corregida.\n\n"
           "1. {step}\n"
           "2. Hasta que llegue la corrección, use Acme Projects en su navegador en app.acme-projects.test; todo su "
           "trabajo está ahí.\n"
           "3. Cuando llegue la actualización posterior a la {version}, instálela: corrige el cierre.\n"),
}
REGRESSION_WORDS: dict[str, dict[str, tuple[str, str]]] = {  # signature key -> locale -> (action, step)
    "android_offline_db_locked": {
        "de": ("synchronisieren", "Schalten Sie **Einstellungen → Offline-Modus** aus; der Absturz passiert nur, "
               "während Offline-Daten synchronisiert werden."),
        "fr": ("synchronisez", "Désactivez **Paramètres → Mode hors ligne** ; le plantage ne se produit que pendant "
               "la synchronisation des données hors ligne."),
        "es": ("sincroniza", "Desactive **Configuración → Modo sin conexión**; el cierre solo ocurre mientras se "
               "sincronizan los datos sin conexión."),
    },
    "android_calendar_widget_npe": {
        "de": ("den Kalender öffnen", "Entfernen Sie das Kalender-Widget von Acme Projects von Ihrem "
               "Startbildschirm; dann läuft die App selbst stabil."),
        "fr": ("ouvrez l'agenda", "Retirez le widget agenda d'Acme Projects de votre écran d'accueil ; "
               "l'application elle-même reste alors ouverte."),
        "es": ("abre el calendario", "Quite el widget de calendario de Acme Projects de su pantalla de inicio; así "
               "la app deja de cerrarse."),
    },
    "ios_launch_watchdog": {
        "de": ("sie öffnen", "Beenden Sie die App erzwungen, schalten Sie den Flugmodus ein, öffnen Sie die App und "
               "schalten Sie den Flugmodus wieder aus; dann startet sie normal."),
        "fr": ("l'ouvrez", "Forcez la fermeture de l'app, activez le mode Avion, ouvrez l'app, puis désactivez le "
               "mode Avion ; elle démarre alors normalement."),
        "es": ("la abre", "Fuerce el cierre de la app, active el modo avión, abra la app y desactive de nuevo el "
               "modo avión; así arranca con normalidad."),
    },
    "ios_attachment_preview": {
        "de": ("die Vorschau eines Anhangs öffnen", "Halten Sie einen Anhang gedrückt und wählen Sie **Öffnen in…**, "
               "statt ihn für die Vorschau anzutippen."),
        "fr": ("prévisualisez une pièce jointe", "Appuyez longuement sur une pièce jointe et choisissez **Ouvrir "
               "dans…** au lieu de la toucher pour l'aperçu."),
        "es": ("previsualiza un adjunto", "Mantenga pulsado un adjunto y elija **Abrir en…** en lugar de tocarlo "
               "para la vista previa."),
    },
    "windows_webview_access_violation": {
        "de": ("einen Kommentar schreiben", "Schreiben Sie Kommentare im Bereich **Details** der Aufgabe statt im "
               "Pop-up-Editor."),
        "fr": ("écrivez un commentaire", "Écrivez vos commentaires dans le volet **Détails** de la tâche plutôt que "
               "dans l'éditeur contextuel."),
        "es": ("escribe un comentario", "Escriba los comentarios en el panel **Detalles** de la tarea en lugar del "
               "editor emergente."),
    },
}

EVERYDAY_TRANSLATIONS: dict[str, dict[str, Text]] = {
    "wa-password-reset-email": {
        "de": ("Die E-Mail zum Zurücksetzen des Passworts kommt nicht an",
               "1. Sehen Sie im Spam- oder Junk-Ordner nach einer Mail von *no-reply@acme-projects.test* nach.\n"
               "2. Firmen-Mailfilter halten unsere Mails manchmal einige Minuten zurück; warten Sie zehn Minuten, "
               "bevor Sie einen neuen Link anfordern, denn jeder neue Link macht den vorherigen ungültig.\n"
               "3. Bitten Sie Ihr IT-Team, *acme-projects.test* als Absender zuzulassen.\n"
               "4. Immer noch nichts? Antworten Sie auf diese E-Mail, dann prüfen wir, dass Sie es sind, und setzen "
               "das Passwort gemeinsam mit Ihnen zurück.\n"),
        "fr": ("L'e-mail de réinitialisation du mot de passe n'arrive pas",
               "1. Cherchez dans le dossier spam ou courrier indésirable un e-mail de *no-reply@acme-projects.test*.\n"
               "2. Les filtres de messagerie d'entreprise retiennent parfois nos e-mails quelques minutes ; attendez "
               "dix minutes avant de demander un nouveau lien, car chaque nouveau lien annule le précédent.\n"
               "3. Demandez à votre équipe informatique d'autoriser *acme-projects.test* comme expéditeur.\n"
               "4. Toujours rien ? Répondez à cet e-mail : nous vérifierons que c'est bien vous et réinitialiserons "
               "le mot de passe avec vous.\n"),
        "es": ("No llega el correo para restablecer la contraseña",
               "1. Busque en la carpeta de spam o correo no deseado un mensaje de *no-reply@acme-projects.test*.\n"
               "2. Los filtros de correo de las empresas a veces retienen nuestros mensajes unos minutos; espere diez "
               "minutos antes de pedir otro enlace, porque cada enlace nuevo anula el anterior.\n"
               "3. Pida a su equipo de TI que permita *acme-projects.test* como remitente.\n"
               "4. ¿Sigue sin llegar? Responda a este correo y comprobaremos que es usted para restablecer la "
               "contraseña juntos.\n"),
    },
    "wa-csv-export-excel": {
        "de": ("Umlaute sehen falsch aus, wenn ein CSV-Export in Excel geöffnet wird",
               "Ihr Export ist in Ordnung – Excel errät nur den falschen Zeichensatz, wenn es eine CSV-Datei direkt "
               "öffnet.\n\n"
               "1. Wählen Sie in Excel **Daten → Aus Text/CSV** und dann die exportierte Datei.\n"
               "2. Stellen Sie **Dateiursprung** auf **65001: Unicode (UTF-8)** und klicken Sie auf **Laden**.\n"
               "3. Oder wählen Sie in Acme Projects **Export → Excel (.xlsx)**; diese Datei öffnet sich sofort "
               "richtig.\n"),
        "fr": ("Les accents sont illisibles quand un export CSV est ouvert dans Excel",
               "Votre export est correct : Excel devine simplement le mauvais jeu de caractères quand il ouvre un CSV "
               "directement.\n\n"
               "1. Dans Excel, choisissez **Données → À partir d'un fichier texte/CSV** et sélectionnez le fichier "
               "exporté.\n"
               "2. Réglez **Origine du fichier** sur **65001 : Unicode (UTF-8)** et cliquez sur **Charger**.\n"
               "3. Ou choisissez **Export → Excel (.xlsx)** dans Acme Projects : ce fichier s'ouvre correctement tout "
               "de suite.\n"),
        "es": ("Los acentos se ven mal al abrir una exportación CSV en Excel",
               "Su exportación está bien: Excel solo adivina mal el juego de caracteres cuando abre un CSV "
               "directamente.\n\n"
               "1. En Excel, elija **Datos → Desde el texto/CSV** y seleccione el archivo exportado.\n"
               "2. Ponga **Origen del archivo** en **65001: Unicode (UTF-8)** y haga clic en **Cargar**.\n"
               "3. O elija **Exportar → Excel (.xlsx)** en Acme Projects, que se abre bien desde el principio.\n"),
    },
    "wa-calendar-sync-reconnect": {
        "de": ("Fälligkeitstermine erscheinen nicht im Google- oder Outlook-Kalender",
               "Den Kalender neu zu verbinden, behebt das fast immer.\n\n"
               "1. Öffnen Sie **Einstellungen → Integrationen → Kalender** und klicken Sie auf **Trennen**.\n"
               "2. Verbinden Sie ihn wieder und erlauben Sie den Zugriff auf den Kalender, den Sie nutzen möchten.\n"
               "3. Geben Sie ihm bis zu 15 Minuten: Kalenderanbieter aktualisieren externe Feeds nach ihrem eigenen "
               "Zeitplan.\n"),
        "fr": ("Les échéances n'apparaissent pas dans l'agenda Google ou Outlook",
               "Reconnecter l'agenda règle le problème presque à chaque fois.\n\n"
               "1. Ouvrez **Paramètres → Intégrations → Agenda** et cliquez sur **Déconnecter**.\n"
               "2. Connectez-le de nouveau et autorisez l'accès à l'agenda que vous voulez utiliser.\n"
               "3. Comptez jusqu'à 15 minutes : les fournisseurs d'agenda actualisent les flux externes à leur propre "
               "rythme.\n"),
        "es": ("Las fechas de vencimiento no aparecen en el calendario de Google o Outlook",
               "Volver a conectar el calendario lo soluciona casi siempre.\n\n"
               "1. Abra **Configuración → Integraciones → Calendario** y haga clic en **Desconectar**.\n"
               "2. Conéctelo de nuevo y permita el acceso al calendario que quiere usar.\n"
               "3. Espere hasta 15 minutos: los proveedores de calendario actualizan los feeds externos a su propio "
               "ritmo.\n"),
    },
    "wa-push-notifications": {
        "de": ("Push-Benachrichtigungen kommen auf dem Handy nicht mehr an",
               "So kommen Ihre Benachrichtigungen wieder an.\n\n"
               "1. Öffnen Sie in der App **Einstellungen → Benachrichtigungen** und schalten Sie "
               "Push-Benachrichtigungen aus und wieder ein; damit wird Ihr Handy neu registriert.\n"
               "2. Prüfen Sie in den Einstellungen des Handys, dass Acme Projects Benachrichtigungen senden darf und "
               "nicht durch einen Fokus- oder Energiesparmodus blockiert wird.\n"
               "3. Melden Sie sich einmal ab und wieder an, wenn sie dann immer noch nicht ankommen.\n"),
        "fr": ("Les notifications push n'arrivent plus sur le téléphone",
               "Voici comment recevoir de nouveau vos notifications.\n\n"
               "1. Dans l'app, ouvrez **Paramètres → Notifications** et désactivez puis réactivez les notifications "
               "push ; cela réenregistre votre téléphone.\n"
               "2. Dans les réglages du téléphone, vérifiez qu'Acme Projects peut envoyer des notifications et n'est "
               "pas bloquée par un mode Concentration ou économie d'énergie.\n"
               "3. Déconnectez-vous puis reconnectez-vous une fois si elles n'arrivent toujours pas.\n"),
        "es": ("Las notificaciones push ya no llegan al teléfono",
               "Así vuelve a recibir sus notificaciones.\n\n"
               "1. En la app, abra **Configuración → Notificaciones** y desactive y vuelva a activar las "
               "notificaciones push; así se registra de nuevo su teléfono.\n"
               "2. En los ajustes del teléfono, compruebe que Acme Projects puede enviar notificaciones y que no está "
               "bloqueada por un modo Concentración o de ahorro de batería.\n"
               "3. Cierre sesión y vuelva a entrar una vez si siguen sin llegar.\n"),
    },
    "wa-stay-signed-in": {
        "de": ("Die App meldet Sie immer wieder ab",
               "Mit diesen Einstellungen bleibt Ihre Sitzung bestehen.\n\n"
               "1. Setzen Sie auf der Anmeldeseite das Häkchen bei **Angemeldet bleiben**.\n"
               "2. Erlauben Sie Cookies für *app.acme-projects.test*, falls Ihr Browser sie beim Beenden löscht.\n"
               "3. Wenn Ihre Firma SSO nutzt, gilt die Sitzungsdauer Ihrer Administration; bitten Sie sie, diese zu "
               "verlängern.\n"),
        "fr": ("L'app vous déconnecte sans arrêt",
               "Ces réglages gardent votre session ouverte.\n\n"
               "1. Cochez **Rester connecté** sur la page de connexion.\n"
               "2. Autorisez les cookies pour *app.acme-projects.test* si votre navigateur les efface à la fermeture.\n"
               "3. Si votre entreprise utilise le SSO, c'est la durée de session définie par votre administrateur qui "
               "s'applique ; demandez-lui de l'allonger.\n"),
        "es": ("La app le cierra la sesión una y otra vez",
               "Estos ajustes mantienen su sesión abierta.\n\n"
               "1. Marque **Mantener la sesión iniciada** en la página de inicio de sesión.\n"
               "2. Permita las cookies de *app.acme-projects.test* si su navegador las borra al cerrarse.\n"
               "3. Si su empresa usa SSO, se aplica la duración de sesión de su administrador; pídale que la amplíe.\n"),
    },
}
