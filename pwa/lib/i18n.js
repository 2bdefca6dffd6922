// The app's texts in Dutch, German and English. The language is the user's setting once
// logged in, before that the browser's.

export const TEXTS = {
  en: {
    menu: "Main menu",
    push_failed: "Notifications could not be switched on. Try again later.",
    app: "Schoolgate", loading: "Loading…", offline: "You are offline. You see what was loaded before.",
    update: "A new version of the app is ready.", reload: "Reload",
    login: "Log in", email: "E-mail address", password: "Password", forgot: "Forgot your password?",
    login_failed: "That did not work.", logout: "Log out", back: "Back",
    logout_everywhere: "Log out on all devices", logged_in_as: "Logged in as {email}.",
    logout_everywhere_hint: "Lost a phone? This logs you out everywhere, here too, and stops notifications on all your devices.",
    session_ended: "You were logged out. Log in again to go on.",
    code_label: "Code from your authenticator app",
    code_hint: "Six digits, or one of your recovery codes.",
    two_factor: "Two-step login",
    two_factor_intro: "After your password you also enter a code from an authenticator app on your phone (such as FreeOTP, Google Authenticator or Microsoft Authenticator).",
    two_factor_start: "Set up two-step login",
    two_factor_scan: "Scan this code with the app, or type in the key below. Then enter the six digits the app shows.",
    two_factor_qr: "QR code for your authenticator app",
    two_factor_key: "Key",
    two_factor_turn_on: "Turn on",
    two_factor_on: "Two-step login is on. Recovery codes left: {count}.",
    two_factor_turn_off: "Turn off",
    two_factor_off_hint: "To turn it off, enter a code from the app or a recovery code.",
    recovery_codes_intro: "Keep these recovery codes somewhere safe, away from your phone. Each one logs you in once without the app. They are shown only now.",
    recovery_codes_saved: "I have saved them",
    two_factor_required_notice: "The school requires two-step login for staff. Set it up below to go on.",
    forgot_title: "Forgot your password", forgot_intro: "Enter your e-mail address. If it belongs to an account, you get an e-mail with a link to choose a new password.",
    forgot_send: "Send link", forgot_sent: "If the address belongs to an account, an e-mail is on its way. Check your inbox.",
    reset_title: "Choose a new password", new_password: "New password", repeat_password: "Repeat the new password",
    reset_save: "Save password", reset_done: "Your password has been changed. Log in with it.",
    password_rules: "At least 8 characters with a lower-case and an upper-case letter, a digit and a special character.",
    activate_title: "Activate your account", activate_hello: "Welcome, {name}. Choose a password for {email}.",
    consent: "I agree that the school processes my data to send me messages (privacy statement version {version}).",
    activate_save: "Activate my account", link_invalid: "This link is not valid or has expired.",
    home: "Home", news: "News", children: "Children", account: "Account", compose: "New post",
    urgent: "Urgent", message: "Message", news_kind: "News", unread: "Unread",
    please_confirm: "Please confirm", confirmed_badge: "Confirmed", for_children: "For {names}",
    nothing_yet: "Nothing here yet.",
    confirm: "Confirm receipt", confirmed: "You confirmed receipt.", your_reply: "Your reply", send: "Send",
    replies: "Replies", staff: "School", attachments: "Attachments",
    status: "Read and confirmations", not_read: "Not read", not_confirmed: "Not confirmed", replied: "Replied",
    push_title: "Urgent notices on this device", push_on: "Get notifications on this device", push_enabled: "Notifications are on for this device.",
    push_blocked: "Notifications are blocked for this site in the browser settings.", push_unsupported: "This browser cannot receive notifications. Add the app to your home screen first.",
    push_off: "Turn off on this device",
    profile: "My details", first_name: "First name", name_prefix: "Name prefix (van, de, von)", last_name: "Last name", phone: "Phone", address: "Address", language: "Language", save: "Save", saved: "Saved.",
    emails: "E-mails", email_kind: { urgent: "Urgent notices (always)", messages: "Weekly overview of messages", news: "News", photo_albums: "New photo albums", conferences: "Parent-teacher conferences" },
    change_password: "Change password", current_password: "Current password",
    emergency: "Emergency numbers", name: "Name", relation: "Relation", add_contact: "Add a number", remove: "Remove", read_only: "The school keeps this data; ask the office to change it.",
    group: "Class",
    compose_title: "New post", kind: "Kind", audience: "To", whole_school: "The whole school", title: "Title", text: "Text",
    ask_confirmation: "Ask parents to confirm receipt", allow_replies: "Parents may reply",
    choose_group: "Choose at least one class.",
    conversations: "Conversations", all_conversations: "All conversations", new_count: "{count} new",
    unread_messages: "{count} unread", no_conversations: "No conversations yet. Replies to posts appear here.",
    conversation_with: "Conversation with {name}", about_post: "About: {title}", no_replies_yet: "No replies yet.",
    you: "You", your_answer: "Your answer",
    offline_not_kept: "You are offline, and this screen was not loaded before. It appears as soon as you are online again.",
    push_turning_on: "Switching on…", push_waiting: "Waiting for the browser's notification service…",
    push_timeout: "The notification service did not answer within 8 seconds. Check your internet connection and try again.",
    push_install_first: "On an iPhone or iPad, notifications work only in the app on your home screen. Add it there first, open it from there, and switch them on here.",
    push_help_title: "How to allow notifications again",
    push_help_ios: "Open the Settings app.|Tap Notifications and choose this app in the list.|Switch on Allow Notifications, then come back here.",
    push_help_android: "Tap the icon left of the address (or open the app's info: long-press its icon, then App info).|Tap Permissions or Notifications.|Allow notifications, then come back here and reload.",
    push_help_desktop: "Click the icon left of the address.|Set Notifications to Allow.|Reload this page.",
    install_title: "Install the app", install_intro: "On your home screen the app opens like any other app, works offline and can show notifications.",
    install_done: "The app is installed on this device.", install_now: "Install now",
    install_ios_title: "iPhone and iPad (Safari)", install_ios: "Open this site in Safari.|Tap the Share button (the square with the arrow).|Choose Add to Home Screen, then Add.|Open the app from your home screen and switch on notifications under Account.",
    install_android_title: "Android (Chrome)", install_android: "Open this site in Chrome.|Tap the menu (three dots, top right).|Choose Install app or Add to home screen.|Open the app from your home screen and switch on notifications under Account.",
    reset_no_token: "Open the link from the e-mail to choose a new password.", send_new_link: "Send me a new link",
    staff_notices_title: "Notices", staff_notices: "Urgent notices, messages and news reach parents by push and e-mail. Staff get no notice e-mails: replies from parents show on Home, with a count on its tab.",
    of_read: "of {total} read", of_confirmed: "of {total} confirmed",
    sent_to: "Sent to {count} parents", read_at: "read {time}", confirmed_at: "confirmed {time}", call: "Call {phone}",
    push_delivery: "Push messages: {sent} delivered, {pending} on the way, {failed} failed.", email_delivery: "E-mails: {sent} sent, {pending} on the way, {failed} failed.",
    remind: "Remind the {count} who have not confirmed", reminded: "Reminder sent to those who have not confirmed ({count}): push message and e-mail.",
    last_reminder: "Last reminder: {time}", all_confirmed: "Everyone has confirmed.", by_child: "By child",
    not_found_title: "Page not found", not_found_text: "This page does not exist. Perhaps the link is old.", to_home: "To the home screen",
    release_to_refresh: "Release to refresh",
    load_older: "Show older posts",
    emergency_explained: "Who should the school call when you cannot be reached? Add, for example, a grandparent or a neighbour.", removed: "Removed.", unsaved_changes: "Not saved yet: press Save.",
    review: "Check before sending", review_title: "Check and send", preview: "Preview", change: "Change", sending: "Sending…",
    send_now: "Send to {parents} parents", send_urgent: "Send urgent notice to {parents} parents",
    reach_urgent: "This urgent notice goes at once to {parents} parents of {children} children, by push message and e-mail.",
    reach_other: "This goes to {parents} parents of {children} children.",
    files_kept: "Attached: {names}", attach_files: "Photos and files (optional)", attach_failed: "The post was sent, but {name} could not be attached: {reason}",
    edit: "Change", delete: "Delete", cancel: "Cancel", delete_question: "Delete this post for everyone? It disappears from every parent's app, with its replies.",
    delete_yes: "Yes, delete for everyone", edit_pushes: "Parents get a push message that this urgent notice was updated.", saved_pushed: "Saved. Parents get a push message about the update.",
    send_later: "Send later (optional)", send_later_help: "Date and time at the school. Until then only you and the school office see it.",
    scheduled: "Scheduled", scheduled_for: "Goes out {time}", schedule_send: "Schedule for {parents} parents",
    reach_scheduled: "This goes out {time} to {parents} parents of {children} children (counted now).", send_at: "Send at",
    scheduled_status: "Scheduled: this goes out {time}. Until then nobody else sees it.",
    agenda: "Agenda", agenda_subscribe: "Subscribe in my calendar", agenda_new: "New agenda item", agenda_change: "Change agenda item", agenda_empty: "Nothing planned yet.", all_day: "All day", cancelled: "Cancelled", coming_up: "Coming up", whole_agenda: "The whole agenda", posts: "Posts", place: "Place", description: "Description", date: "Date", last_day: "Last day (for several days)", start_time: "From", end_time: "To", repeat: "Repeats", repeat_none: "Once", repeat_weekly: "Every week", repeat_biweekly: "Every two weeks", repeat_until: "Last time on", repeat_until_text: "{every} until {until}", not_on: "Not on {dates}", skip_date: "Leave out a date", skip_add: "Leave out", add_to_calendar: "Add to my calendar (.ics)", manage_item: "Manage", cancel_item: "Cancel it", restore_item: "It takes place after all", delete_item_question: "Delete this agenda item for everyone? It also disappears from subscribed calendars.", delete_item_yes: "Yes, delete", subscribe_title: "Subscribe in your calendar", subscribe_intro: "Your calendar app (Google, Apple, Outlook) then shows the school's agenda and keeps it up to date. The link is personal: whoever has it sees your agenda, so do not share it.", subscribe_scope: "Which items", subscribe_make: "Make my calendar link", subscribe_ready: "Your calendar link", subscribe_link: "Link", subscribe_copy: "Copy link", copied: "Copied.", subscribe_open: "Open in my calendar app", subscribe_shown_once: "Keep the link now: for your safety it is shown only once. Lost it? Make a new one; the old one then stops working.", subscribe_how: "How to add it", help_google: "on a computer, open Google Calendar, choose Other calendars, +, From URL, and paste the link. Google refreshes subscribed calendars only every 12 to 24 hours, so changes arrive late there.", help_apple: "on an iPhone, iPad or Mac, tap Open in my calendar app and confirm. Or: Settings, Calendar, Accounts, Add Account, Other, Add Subscribed Calendar, and paste the link.", help_outlook: "choose Add calendar, Subscribe from web, and paste the link.", feeds_active: "Your calendar links", feed_all: "All my items", feed_child: "Only {name}", feed_used: "Last fetched on {when}", feed_never: "Not fetched by a calendar app yet", feed_renew: "Make a new link", feed_revoke: "Stop this link", feed_revoked: "The link no longer works.",
    documents: "Documents", agenda_sections: "Agenda and documents", documents_empty: "No documents yet.", folder_empty: "Nothing in this folder yet.", folder_new: "New folder", folder_name: "Folder name", folder_make: "Make folder", upload: "Upload a document", file: "File", document_title: "Title (optional)", uploaded: "Uploaded.", new_version: "New version", new_badge: "New", version: "version {n}", delete_folder: "Delete this folder", delete_folder_question: "Delete the folder “{name}” with all its documents, for everyone?", delete_document_question: "Delete “{title}” for everyone?",
    albums: "Photos", albums_title: "Photo albums", albums_empty: "No photo albums yet.", album_new: "New album", album_title: "Title", album_description: "Description (optional)", album_make: "Make album", album_draft: "Draft", photos_count: "{count} photos", photos_hidden: "{count} not shown to parents", album_add_photos: "Add photos", album_choose_photos: "Choose photos", album_uploading: "Uploading {name}", album_upload_failed: "{name}: {reason}", album_retry: "Try again", album_processing: "Being prepared…", album_failed_photo: "This photo could not be used", album_publish: "Publish", album_published: "Published. Parents get an e-mail.", album_published_on: "Published {date}", album_delete: "Delete album", album_delete_question: "Delete the album “{title}” with all its photos, for everyone?", photo_delete: "Delete photo", photo_tag: "Who is on it?", photo_tags_save: "Save", photo_no_recognisable: "No child can be recognised", photo_untagged: "Not tagged yet: parents do not see it", photo_no_consent: "Hidden from parents: no photo consent for {names}", photo_tagged: "On it: {names}", photo_shown: "Parents see it", no_consent_mark: "no consent", album_publish_explained: "Tag every photo (or mark it as showing no recognisable child) before publishing. Photos of children without consent stay hidden from parents.", viewer: "Photo {n} of {total}", viewer_close: "Close", viewer_previous: "Previous photo", viewer_next: "Next photo", photo_download: "Download", photo_open: "Open photo {n}", album_children_no_consent: "No consent for albums: {names}", photo_consent: "Photo consent", photo_consent_explained: "May the school use photos on which {name} can be recognised? You can change this at any time.", consent_albums: "Photo albums in this app (parents of the class)", consent_website: "The school's website", consent_print: "Newsletter and printed material", consent_yes: "Yes", consent_no: "No", consent_unanswered: "Not answered: counts as no", consent_year: "School year {year}", consent_each_year: "The school asks again every school year.", consent_locked: "The school has closed consent for this year; you can still withdraw it.",
    people_sections: "Children and groups", groups: "Groups", your_group: "Yours", children_count: "{count} children", label: "Kind", label_mobile: "Mobile", label_work: "Work", label_home: "Home", label_other: "Other", birthday: "Birthday", teachers: "Teachers", directory_off: "At this school parents do not see each other's details here; only staff do.", unlisted_children: "{count} more children whose families do not list them for you.", directory_how: "Each family decides what others see of it.", privacy_settings: "Privacy: who sees what", field_parent_phone: "My phone numbers", field_parent_email: "My e-mail addresses", field_parent_address: "My address", field_parent_photo: "My photo", field_child_name: "Name in the class list", field_child_photo: "Photo", field_child_birthday: "Birthday", audience_nobody: "Nobody (only the school office)", audience_staff: "Teachers and staff", audience_group_parents: "Also parents of the same class", audience_school_parents: "Also all parents of the school", locked_by_school: "Set by the school", privacy_preview: "What others see", privacy_preview_as: "Seen by", viewer_parent_in_same_group: "Class parents", viewer_parent_of_school: "Other parents", viewer_teacher_of_group: "Teachers", preview_not_listed: "Your children are not in the class list for them; they see only this of you where you appear:", privacy_intro: "Nothing is shared until you share it. Choose per item who may see it: other parents then reach you through the class list, since the school keeps no phone lists.", privacy_me: "About me", photo_replace: "Change photo", photo_add: "Add a photo", uploading: "Uploading…", notes: "Notes from the teacher", notes_empty: "No notes yet. The class teacher can write you one here.", notes_empty_teacher: "No notes yet. What you write here only the child's parents read (and they get a notification).", note_new: "New note for the parents", note_hint: "Only this child's parents and the class's teachers read it.", note_send: "Send note", note_sent: "Sent. The parents get a notification.", child_details: "Photo and birthday", privacy_child: "Who sees what of your child", people_title: "Class lists and privacy", contact_details: "Contact details", phones: "Phone numbers", no_phones: "No phone number yet.", add_phone: "Add a phone number", extra_emails: "More e-mail addresses", extra_emails_hint: "To be reached at; you keep logging in with your login address.", add_email: "Add an e-mail address", login_address: "Login e-mail address", login_address_now: "You log in with {email}.", email_change_pending: "A confirmation link went to {email}. Your login changes when you open it.", email_change_cancel: "Cancel the change", new_email: "New e-mail address", email_change_hint: "We send a link to the new address. Until you open it, you keep logging in with the current one.", email_change_send: "Send confirmation link", confirm_email_title: "New login address", confirm_email_done: "Done: from now on you log in with {email}.",
    my_children: "My children", pupils: "Pupils",
    unlisted_child: "1 more child whose family does not list it for you.",
    errors: {"processing_failed": "It could not be processed; send it again.", "upload_missing": "The upload went missing; send it again.", "untagged_photos": "Tag every photo first (or mark it as showing no recognisable child).", "photos_processing": "Some photos are still being prepared. Publish in a moment.", "empty_album": "Add photos first.", "album_full": "This album is full: start a new one.", "consent_locked": "The school has closed photo consent for this year: ask the school office.", "download_not_allowed": "The school does not allow downloading photos.", "tags_conflict": "A photo with children tagged on it shows recognisable children.", "unknown_child": "This child is not in the album's class.", "unsupported_image_type": "Send a photo as JPEG, PNG or WebP (on an iPhone: Settings, Camera, Formats, Most Compatible).", "image_too_large": "This picture is too large.", "unreadable_image": "This photo could not be read.", "invalid_phone": "Check the phone number: 6 to 20 digits.", "invalid_email": "This is not a valid e-mail address.", "duplicate_email": "This address is in the list already, or is your login address.", "too_many_contacts": "At most 5 of each.", "same_email": "This is your login address already.", "email_taken": "This address belongs to another account, so it cannot be your login. Nothing was changed.", "field_locked": "The school decides who sees this.", "wrong_field": "This setting does not belong here.", "invalid_birthday": "A birthday lies between 1990 and today.", "invalid_note": "A note needs 1 to 4,000 characters.", "teachers_of_group_only": "Notes are written by the class's teachers.", "not_author": "Only the teacher who wrote a note changes it.", "payload_too_large": "The file is too large.", "file_type_not_allowed": "This kind of file is not accepted: PDF, images, office documents and plain text only.", "file_too_large": "The file is too large.", "empty_file": "The file is empty.", "pdf_with_javascript": "This PDF contains scripts: print it to a new PDF first.", "times_incomplete": "Give a start and an end time, or tick All day.", "end_before_start": "The end must come after the start.", "item_too_long": "An agenda item lasts at most 62 days.", "invalid_repeat_until": "The last time must be on or after the first day, within two years.", "repeat_overlaps": "A repeating item must end before it comes round again.", "skip_not_an_occurrence": "A date left out must be one on which the item comes round.", "invalid_range": "Choose a shorter stretch of days.", "publish_at_in_past": "The time to send it must be in the future.", "publish_at_too_far": "A post can be scheduled at most 90 days ahead.", "already_published": "This post has gone out already, so its time cannot change.", "not_published_yet": "This post has not gone out yet.", "reminded_recently": "A reminder went out less than 15 minutes ago. Please wait a little.", "no_confirmation_asked": "This post asks for no confirmation.", "no_audience": "Choose at least one class.", "not_own_group": "You can only post to your own classes.", "school_audience_needs_admin": "Only the school office can post to the whole school.", "invalid_title": "The title needs 1 to 200 characters.", "invalid_body_text": "The text is empty or too long.", "forbidden": "You may not do this.", "unauthenticated": "Your session has ended. Please log in again.", "account_disabled": "This account is switched off. Ask the school.", "not_found": "This does not exist (any more), or is not for you.", "invalid_emergency_contact": "Check the emergency numbers: each needs a name and a valid phone number.", "read_only": "The school keeps this data; ask the office to change it.", "consent_version_outdated": "The privacy statement has changed. Reload the page and agree again.", "csrf_token_invalid": "Your session has ended. Please log in again.", "wrong_credentials": "Wrong e-mail address or password.", "two_factor_code_wrong": "This code is not right, or was used already. Enter the code the app shows now.", "two_factor_required_by_school": "The school requires two-step login; it cannot be turned off.", "two_factor_setup_required": "The school requires two-step login: set it up under Account first.", "rate_limited": "Too many attempts. Please wait a minute and try again.", "password_mismatch": "The two passwords are not the same.", "wrong_current_password": "The current password is not right.", "password_too_short": "The password is too short (at least 8 characters).", "password_missing_lowercase": "The password needs a lower-case letter.", "password_missing_uppercase": "The password needs an upper-case letter.", "password_missing_digit": "The password needs a digit.", "password_missing_special": "The password needs a special character.", "password_too_common": "This password is too common; choose another one.", "consent_required": "Please agree to the privacy statement.", "token_expired": "This link has expired. Ask for a new one.", "token_invalid": "This link is not valid.", "token_used": "This link has been used already.", "already_activated": "This account is active already: log in.", "offline": "You are offline. Try again when you have a connection.", "internal_error": "Something went wrong on the server. Please try again later."},
  },
  nl: {
    menu: "Hoofdmenu",
    push_failed: "Meldingen konden niet worden aangezet. Probeer het later opnieuw.",
    app: "Schoolgate", loading: "Laden…", offline: "U bent offline. U ziet wat eerder geladen is.",
    update: "Er is een nieuwe versie van de app.", reload: "Opnieuw laden",
    login: "Inloggen", email: "E-mailadres", password: "Wachtwoord", forgot: "Wachtwoord vergeten?",
    login_failed: "Dat lukte niet.", logout: "Uitloggen", back: "Terug",
    logout_everywhere: "Op alle apparaten uitloggen", logged_in_as: "Ingelogd als {email}.",
    logout_everywhere_hint: "Telefoon kwijt? Zo logt u overal uit, ook hier, en krijgt geen van uw apparaten nog meldingen.",
    session_ended: "U bent uitgelogd. Log opnieuw in om verder te gaan.",
    code_label: "Code uit uw authenticator-app",
    code_hint: "Zes cijfers, of een van uw herstelcodes.",
    two_factor: "Inloggen in twee stappen",
    two_factor_intro: "Na uw wachtwoord voert u ook een code in uit een authenticator-app op uw telefoon (zoals FreeOTP, Google Authenticator of Microsoft Authenticator).",
    two_factor_start: "Inloggen in twee stappen instellen",
    two_factor_scan: "Scan deze code met de app, of typ de sleutel hieronder over. Voer daarna de zes cijfers in die de app toont.",
    two_factor_qr: "QR-code voor uw authenticator-app",
    two_factor_key: "Sleutel",
    two_factor_turn_on: "Aanzetten",
    two_factor_on: "Inloggen in twee stappen staat aan. Herstelcodes over: {count}.",
    two_factor_turn_off: "Uitzetten",
    two_factor_off_hint: "Voer om het uit te zetten een code uit de app of een herstelcode in.",
    recovery_codes_intro: "Bewaar deze herstelcodes op een veilige plek, niet bij uw telefoon. Met elke code logt u één keer in zonder de app. Ze worden alleen nu getoond.",
    recovery_codes_saved: "Ik heb ze bewaard",
    two_factor_required_notice: "De school vraagt inloggen in twee stappen voor medewerkers. Stel het hieronder in om verder te gaan.",
    forgot_title: "Wachtwoord vergeten", forgot_intro: "Vul uw e-mailadres in. Hoort het bij een account, dan krijgt u een e-mail met een link om een nieuw wachtwoord te kiezen.",
    forgot_send: "Link versturen", forgot_sent: "Hoort het adres bij een account, dan is er een e-mail onderweg. Kijk in uw inbox.",
    reset_title: "Kies een nieuw wachtwoord", new_password: "Nieuw wachtwoord", repeat_password: "Herhaal het nieuwe wachtwoord",
    reset_save: "Wachtwoord opslaan", reset_done: "Uw wachtwoord is gewijzigd. Log ermee in.",
    password_rules: "Minstens 8 tekens met een kleine letter, een hoofdletter, een cijfer en een leesteken.",
    activate_title: "Account activeren", activate_hello: "Welkom, {name}. Kies een wachtwoord voor {email}.",
    consent: "Ik ga ermee akkoord dat de school mijn gegevens gebruikt om mij berichten te sturen (privacyverklaring versie {version}).",
    activate_save: "Account activeren", link_invalid: "Deze link is niet geldig of verlopen.",
    home: "Start", news: "Nieuws", children: "Kinderen", account: "Account", compose: "Schrijven",
    urgent: "Dringend", message: "Bericht", news_kind: "Nieuws", unread: "Ongelezen",
    please_confirm: "Graag bevestigen", confirmed_badge: "Bevestigd", for_children: "Voor {names}",
    nothing_yet: "Hier staat nog niets.",
    confirm: "Ontvangst bevestigen", confirmed: "U heeft de ontvangst bevestigd.", your_reply: "Uw antwoord", send: "Versturen",
    replies: "Antwoorden", staff: "School", attachments: "Bijlagen",
    status: "Gelezen en bevestigd", not_read: "Niet gelezen", not_confirmed: "Niet bevestigd", replied: "Geantwoord",
    push_title: "Dringende berichten op dit apparaat", push_on: "Meldingen op dit apparaat aanzetten", push_enabled: "Meldingen staan aan op dit apparaat.",
    push_blocked: "Meldingen zijn voor deze site geblokkeerd in de browserinstellingen.", push_unsupported: "Deze browser kan geen meldingen ontvangen. Zet de app eerst op uw beginscherm.",
    push_off: "Uitzetten op dit apparaat",
    profile: "Mijn gegevens", first_name: "Voornaam", name_prefix: "Tussenvoegsel", last_name: "Achternaam", phone: "Telefoon", address: "Adres", language: "Taal", save: "Opslaan", saved: "Opgeslagen.",
    emails: "E-mails", email_kind: { urgent: "Dringende berichten (altijd)", messages: "Wekelijks overzicht van berichten", news: "Nieuws", photo_albums: "Nieuwe fotoalbums", conferences: "Oudergesprekken" },
    change_password: "Wachtwoord wijzigen", current_password: "Huidig wachtwoord",
    emergency: "Noodnummers", name: "Naam", relation: "Relatie", add_contact: "Nummer toevoegen", remove: "Verwijderen", read_only: "De school beheert deze gegevens; vraag de administratie om ze te wijzigen.",
    group: "Groep",
    compose_title: "Nieuw bericht", kind: "Soort", audience: "Aan", whole_school: "De hele school", title: "Titel", text: "Tekst",
    ask_confirmation: "Ouders vragen de ontvangst te bevestigen", allow_replies: "Ouders mogen antwoorden",
    choose_group: "Kies minstens één groep.",
    conversations: "Gesprekken", all_conversations: "Alle gesprekken", new_count: "{count} nieuw",
    unread_messages: "{count} ongelezen", no_conversations: "Nog geen gesprekken. Antwoorden op berichten staan hier.",
    conversation_with: "Gesprek met {name}", about_post: "Over: {title}", no_replies_yet: "Nog geen antwoorden.",
    you: "U", your_answer: "Uw antwoord",
    offline_not_kept: "U bent offline en dit scherm is nog niet eerder geladen. Het verschijnt zodra u weer online bent.",
    push_turning_on: "Bezig met aanzetten…", push_waiting: "Wachten op de meldingendienst van de browser…",
    push_timeout: "De meldingendienst antwoordde niet binnen 8 seconden. Controleer uw internetverbinding en probeer het opnieuw.",
    push_install_first: "Op een iPhone of iPad werken meldingen alleen in de app op uw beginscherm. Zet de app daar eerst neer, open haar van daaruit en zet hier de meldingen aan.",
    push_help_title: "Zo staat u meldingen weer toe",
    push_help_ios: "Open de app Instellingen.|Tik op Berichtgeving en kies deze app in de lijst.|Zet Sta berichtgeving toe aan en kom hier terug.",
    push_help_android: "Tik op het icoon links van het adres (of open de app-info: houd het app-icoon ingedrukt, dan App-info).|Tik op Rechten of Meldingen.|Sta meldingen toe, kom hier terug en laad de pagina opnieuw.",
    push_help_desktop: "Klik op het icoon links van het adres.|Zet Meldingen op Toestaan.|Laad deze pagina opnieuw.",
    install_title: "De app installeren", install_intro: "Op uw beginscherm opent de app als elke andere app, werkt ze offline en kan ze meldingen tonen.",
    install_done: "De app is op dit apparaat geïnstalleerd.", install_now: "Nu installeren",
    install_ios_title: "iPhone en iPad (Safari)", install_ios: "Open deze site in Safari.|Tik op de deelknop (het vierkant met de pijl).|Kies Zet op beginscherm en dan Voeg toe.|Open de app vanaf uw beginscherm en zet onder Account de meldingen aan.",
    install_android_title: "Android (Chrome)", install_android: "Open deze site in Chrome.|Tik op het menu (drie puntjes, rechtsboven).|Kies App installeren of Toevoegen aan startscherm.|Open de app vanaf uw startscherm en zet onder Account de meldingen aan.",
    reset_no_token: "Open de link uit de e-mail om een nieuw wachtwoord te kiezen.", send_new_link: "Stuur mij een nieuwe link",
    staff_notices_title: "Meldingen", staff_notices: "Dringende berichten, berichten en nieuws bereiken ouders via meldingen en e-mail. Medewerkers krijgen geen e-mails over berichten: antwoorden van ouders staan op Start, met een teller op het tabblad.",
    of_read: "van {total} gelezen", of_confirmed: "van {total} bevestigd",
    sent_to: "Verstuurd naar {count} ouders", read_at: "gelezen {time}", confirmed_at: "bevestigd {time}", call: "Bel {phone}",
    push_delivery: "Meldingen: {sent} afgeleverd, {pending} onderweg, {failed} mislukt.", email_delivery: "E-mails: {sent} verstuurd, {pending} onderweg, {failed} mislukt.",
    remind: "Herinner de {count} die niet hebben bevestigd", reminded: "Herinnering verstuurd aan wie niet heeft bevestigd ({count}): melding en e-mail.",
    last_reminder: "Laatste herinnering: {time}", all_confirmed: "Iedereen heeft bevestigd.", by_child: "Per kind",
    not_found_title: "Pagina niet gevonden", not_found_text: "Deze pagina bestaat niet. Misschien is de link oud.", to_home: "Naar het beginscherm",
    release_to_refresh: "Loslaten om te vernieuwen",
    load_older: "Oudere berichten tonen",
    emergency_explained: "Wie moet de school bellen als u niet bereikbaar bent? Voeg bijvoorbeeld een opa, oma of buur toe.", removed: "Verwijderd.", unsaved_changes: "Nog niet opgeslagen: druk op Opslaan.",
    review: "Controleren voor verzenden", review_title: "Controleren en verzenden", preview: "Voorbeeld", change: "Wijzigen", sending: "Bezig met verzenden…",
    send_now: "Verzenden aan {parents} ouders", send_urgent: "Dringend bericht verzenden aan {parents} ouders",
    reach_urgent: "Dit dringende bericht gaat meteen naar {parents} ouders van {children} kinderen, met een melding en per e-mail.",
    reach_other: "Dit gaat naar {parents} ouders van {children} kinderen.",
    files_kept: "Bijgevoegd: {names}", attach_files: "Foto's en bestanden (niet verplicht)", attach_failed: "Het bericht is verzonden, maar {name} kon niet worden bijgevoegd: {reason}",
    edit: "Wijzigen", delete: "Verwijderen", cancel: "Annuleren", delete_question: "Dit bericht voor iedereen verwijderen? Het verdwijnt uit de app van alle ouders, met de antwoorden.",
    delete_yes: "Ja, voor iedereen verwijderen", edit_pushes: "Ouders krijgen een melding dat dit dringende bericht is bijgewerkt.", saved_pushed: "Opgeslagen. Ouders krijgen een melding over de wijziging.",
    send_later: "Later verzenden (optioneel)", send_later_help: "Datum en tijd op school. Tot dan zien alleen u en de administratie het.",
    scheduled: "Ingepland", scheduled_for: "Gaat uit {time}", schedule_send: "Inplannen voor {parents} ouders",
    reach_scheduled: "Dit gaat {time} naar {parents} ouders van {children} kinderen (nu geteld).", send_at: "Verzenden op",
    scheduled_status: "Ingepland: dit gaat uit {time}. Tot dan ziet niemand anders het.",
    agenda: "Agenda", agenda_subscribe: "Abonneren in mijn agenda", agenda_new: "Nieuw agendapunt", agenda_change: "Agendapunt wijzigen", agenda_empty: "Er staat nog niets gepland.", all_day: "Hele dag", cancelled: "Gaat niet door", coming_up: "Binnenkort", whole_agenda: "De hele agenda", posts: "Berichten", place: "Plaats", description: "Omschrijving", date: "Datum", last_day: "Laatste dag (bij meerdere dagen)", start_time: "Van", end_time: "Tot", repeat: "Herhaling", repeat_none: "Eenmalig", repeat_weekly: "Elke week", repeat_biweekly: "Om de week", repeat_until: "Laatste keer op", repeat_until_text: "{every} tot en met {until}", not_on: "Niet op {dates}", skip_date: "Een datum overslaan", skip_add: "Overslaan", add_to_calendar: "Zet in mijn agenda (.ics)", manage_item: "Beheren", cancel_item: "Laat niet doorgaan", restore_item: "Gaat toch door", delete_item_question: "Dit agendapunt voor iedereen verwijderen? Het verdwijnt ook uit geabonneerde agenda's.", delete_item_yes: "Ja, verwijderen", subscribe_title: "Abonneren in uw agenda", subscribe_intro: "Uw agenda-app (Google, Apple, Outlook) toont dan de agenda van school en houdt die bij. De link is persoonlijk: wie hem heeft, ziet uw agenda. Deel hem dus niet.", subscribe_scope: "Welke afspraken", subscribe_make: "Maak mijn agendalink", subscribe_ready: "Uw agendalink", subscribe_link: "Link", subscribe_copy: "Link kopiëren", copied: "Gekopieerd.", subscribe_open: "Openen in mijn agenda-app", subscribe_shown_once: "Bewaar de link nu: voor uw veiligheid tonen we hem maar één keer. Kwijt? Maak een nieuwe; de oude werkt dan niet meer.", subscribe_how: "Zo voegt u hem toe", help_google: "open Google Agenda op een computer, kies Andere agenda's, +, Via URL, en plak de link. Google ververst geabonneerde agenda's maar om de 12 tot 24 uur; wijzigingen komen daar dus later aan.", help_apple: "tik op een iPhone, iPad of Mac op Openen in mijn agenda-app en bevestig. Of: Instellingen, Agenda, Accounts, Voeg account toe, Anders, Voeg agenda-abonnement toe, en plak de link.", help_outlook: "kies Agenda toevoegen, Abonneren via internet, en plak de link.", feeds_active: "Uw agendalinks", feed_all: "Al mijn afspraken", feed_child: "Alleen {name}", feed_used: "Laatst opgehaald op {when}", feed_never: "Nog niet opgehaald door een agenda-app", feed_renew: "Maak een nieuwe link", feed_revoke: "Deze link stoppen", feed_revoked: "De link werkt niet meer.",
    documents: "Documenten", agenda_sections: "Agenda en documenten", documents_empty: "Nog geen documenten.", folder_empty: "Nog niets in deze map.", folder_new: "Nieuwe map", folder_name: "Naam van de map", folder_make: "Map maken", upload: "Document uploaden", file: "Bestand", document_title: "Titel (niet verplicht)", uploaded: "Geüpload.", new_version: "Nieuwe versie", new_badge: "Nieuw", version: "versie {n}", delete_folder: "Deze map verwijderen", delete_folder_question: "De map “{name}” met alle documenten voor iedereen verwijderen?", delete_document_question: "“{title}” voor iedereen verwijderen?",
    albums: "Foto's", albums_title: "Fotoalbums", albums_empty: "Nog geen fotoalbums.", album_new: "Nieuw album", album_title: "Titel", album_description: "Beschrijving (niet verplicht)", album_make: "Album maken", album_draft: "Concept", photos_count: "{count} foto's", photos_hidden: "{count} niet zichtbaar voor ouders", album_add_photos: "Foto's toevoegen", album_choose_photos: "Foto's kiezen", album_uploading: "{name} wordt geüpload", album_upload_failed: "{name}: {reason}", album_retry: "Opnieuw proberen", album_processing: "Wordt klaargezet…", album_failed_photo: "Deze foto kon niet gebruikt worden", album_publish: "Publiceren", album_published: "Gepubliceerd. Ouders krijgen een e-mail.", album_published_on: "Gepubliceerd: {date}", album_delete: "Album verwijderen", album_delete_question: "Het album “{title}” met alle foto's voor iedereen verwijderen?", photo_delete: "Foto verwijderen", photo_tag: "Wie staat erop?", photo_tags_save: "Opslaan", photo_no_recognisable: "Geen kind herkenbaar", photo_untagged: "Nog niet getagd: ouders zien hem niet", photo_no_consent: "Verborgen voor ouders: geen toestemming voor {names}", photo_tagged: "Erop: {names}", photo_shown: "Ouders zien hem", no_consent_mark: "geen toestemming", album_publish_explained: "Tag elke foto (of markeer dat er geen kind herkenbaar is) voor u publiceert. Foto's van kinderen zonder toestemming blijven verborgen voor ouders.", viewer: "Foto {n} van {total}", viewer_close: "Sluiten", viewer_previous: "Vorige foto", viewer_next: "Volgende foto", photo_download: "Downloaden", photo_open: "Foto {n} openen", album_children_no_consent: "Geen toestemming voor albums: {names}", photo_consent: "Toestemming voor foto's", photo_consent_explained: "Mag de school foto's gebruiken waarop {name} herkenbaar is? U kunt dit altijd wijzigen.", consent_albums: "Fotoalbums in deze app (ouders van de groep)", consent_website: "De website van de school", consent_print: "Nieuwsbrief en drukwerk", consent_yes: "Ja", consent_no: "Nee", consent_unanswered: "Niet beantwoord: telt als nee", consent_year: "Schooljaar {year}", consent_each_year: "De school vraagt het elk schooljaar opnieuw.", consent_locked: "De school heeft de toestemming voor dit jaar afgesloten; intrekken kan nog wel.",
    people_sections: "Kinderen en groepen", groups: "Groepen", your_group: "Van u", children_count: "{count} kinderen", label: "Soort", label_mobile: "Mobiel", label_work: "Werk", label_home: "Thuis", label_other: "Anders", birthday: "Verjaardag", teachers: "Leerkrachten", directory_off: "Op deze school zien ouders elkaars gegevens hier niet; alleen het personeel.", unlisted_children: "Nog {count} kinderen van wie de ouders ze niet voor u tonen.", directory_how: "Elk gezin bepaalt zelf wat anderen zien.", privacy_settings: "Privacy: wie ziet wat", field_parent_phone: "Mijn telefoonnummers", field_parent_email: "Mijn e-mailadressen", field_parent_address: "Mijn adres", field_parent_photo: "Mijn foto", field_child_name: "Naam in de groepslijst", field_child_photo: "Foto", field_child_birthday: "Verjaardag", audience_nobody: "Niemand (alleen de administratie)", audience_staff: "Leerkrachten en personeel", audience_group_parents: "Ook ouders van dezelfde groep", audience_school_parents: "Ook alle ouders van school", locked_by_school: "Door school vastgelegd", privacy_preview: "Wat anderen zien", privacy_preview_as: "Gezien door", viewer_parent_in_same_group: "Groepsouders", viewer_parent_of_school: "Andere ouders", viewer_teacher_of_group: "Leerkrachten", preview_not_listed: "Uw kinderen staan voor hen niet in de groepslijst; waar u verschijnt, zien zij alleen dit van u:", privacy_intro: "Er wordt niets gedeeld tot u het deelt. Kies per onderdeel wie het mag zien: andere ouders bereiken u dan via de groepslijst, want de school houdt geen telefoonlijsten bij.", privacy_me: "Over mij", photo_replace: "Foto wijzigen", photo_add: "Foto toevoegen", uploading: "Bezig met uploaden…", notes: "Notities van de leerkracht", notes_empty: "Nog geen notities. De leerkracht van de groep kan u hier een notitie schrijven.", notes_empty_teacher: "Nog geen notities. Wat u hier schrijft, lezen alleen de ouders van dit kind (zij krijgen een melding).", note_new: "Nieuwe notitie voor de ouders", note_hint: "Alleen de ouders van dit kind en de leerkrachten van de groep lezen dit.", note_send: "Notitie versturen", note_sent: "Verstuurd. De ouders krijgen een melding.", child_details: "Foto en verjaardag", privacy_child: "Wie ziet wat van uw kind", people_title: "Groepslijsten en privacy", contact_details: "Contactgegevens", phones: "Telefoonnummers", no_phones: "Nog geen telefoonnummer.", add_phone: "Telefoonnummer toevoegen", extra_emails: "Meer e-mailadressen", extra_emails_hint: "Om u te bereiken; u blijft inloggen met uw inlogadres.", add_email: "E-mailadres toevoegen", login_address: "E-mailadres om in te loggen", login_address_now: "U logt in met {email}.", email_change_pending: "Er is een bevestigingslink naar {email} gestuurd. Uw inlognaam wijzigt zodra u die opent.", email_change_cancel: "Wijziging annuleren", new_email: "Nieuw e-mailadres", email_change_hint: "We sturen een link naar het nieuwe adres. Tot u die opent, logt u in met het huidige adres.", email_change_send: "Bevestigingslink sturen", confirm_email_title: "Nieuw inlogadres", confirm_email_done: "Gelukt: u logt voortaan in met {email}.",
    my_children: "Mijn kinderen", pupils: "Leerlingen",
    unlisted_child: "Nog 1 kind van wie de ouders het niet voor u tonen.",
    errors: {"processing_failed": "Hij kon niet verwerkt worden; stuur hem opnieuw.", "upload_missing": "De upload is zoekgeraakt; stuur hem opnieuw.", "untagged_photos": "Tag eerst elke foto (of markeer dat er geen kind herkenbaar is).", "photos_processing": "Er worden nog foto's klaargezet. Publiceer zo meteen.", "empty_album": "Voeg eerst foto's toe.", "album_full": "Dit album is vol: begin een nieuw album.", "consent_locked": "De school heeft de toestemming voor dit jaar afgesloten: vraag het de administratie.", "download_not_allowed": "De school staat downloaden van foto's niet toe.", "tags_conflict": "Een foto met getagde kinderen toont herkenbare kinderen.", "unknown_child": "Dit kind zit niet in de groep van het album.", "unsupported_image_type": "Stuur een foto als JPEG, PNG of WebP (op een iPhone: Instellingen, Camera, Structuren, Meest compatibel).", "image_too_large": "Deze afbeelding is te groot.", "unreadable_image": "Deze foto kon niet gelezen worden.", "invalid_phone": "Controleer het telefoonnummer: 6 tot 20 cijfers.", "invalid_email": "Dit is geen geldig e-mailadres.", "duplicate_email": "Dit adres staat al in de lijst, of is uw inlogadres.", "too_many_contacts": "Hooguit 5 van elk.", "same_email": "Dit is al uw inlogadres.", "email_taken": "Dit adres hoort bij een ander account en kan dus niet uw inlognaam worden. Er is niets veranderd.", "field_locked": "De school bepaalt wie dit ziet.", "wrong_field": "Deze instelling hoort hier niet.", "invalid_birthday": "Een verjaardag ligt tussen 1990 en vandaag.", "invalid_note": "Een notitie heeft 1 tot 4.000 tekens.", "teachers_of_group_only": "Notities worden geschreven door de leerkrachten van de groep.", "not_author": "Alleen de leerkracht die de notitie schreef, kan haar wijzigen.", "payload_too_large": "Het bestand is te groot.", "file_type_not_allowed": "Dit soort bestand wordt niet geaccepteerd: alleen PDF, afbeeldingen, Office-documenten en platte tekst.", "file_too_large": "Het bestand is te groot.", "empty_file": "Het bestand is leeg.", "pdf_with_javascript": "Deze PDF bevat scripts: druk hem eerst af naar een nieuwe PDF.", "times_incomplete": "Geef een begin- en eindtijd, of vink Hele dag aan.", "end_before_start": "Het einde moet na het begin liggen.", "item_too_long": "Een agendapunt duurt hoogstens 62 dagen.", "invalid_repeat_until": "De laatste keer moet op of na de eerste dag liggen, binnen twee jaar.", "repeat_overlaps": "Een herhaald agendapunt moet eindigen voor het weer terugkomt.", "skip_not_an_occurrence": "Een overgeslagen datum moet een dag zijn waarop het agendapunt terugkomt.", "invalid_range": "Kies een kortere periode.", "publish_at_in_past": "Het verzendmoment moet in de toekomst liggen.", "publish_at_too_far": "Een bericht kan hoogstens 90 dagen vooruit worden ingepland.", "already_published": "Dit bericht is al verzonden; het moment kan niet meer veranderen.", "not_published_yet": "Dit bericht is nog niet verzonden.", "reminded_recently": "Er ging minder dan 15 minuten geleden al een herinnering uit. Wacht even.", "no_confirmation_asked": "Dit bericht vraagt geen bevestiging.", "no_audience": "Kies minstens één groep.", "not_own_group": "U kunt alleen aan uw eigen groepen schrijven.", "school_audience_needs_admin": "Alleen de administratie kan aan de hele school schrijven.", "invalid_title": "De titel heeft 1 tot 200 tekens nodig.", "invalid_body_text": "De tekst is leeg of te lang.", "forbidden": "Dit mag u niet doen.", "unauthenticated": "Uw sessie is verlopen. Log opnieuw in.", "account_disabled": "Dit account staat uit. Vraag het de school.", "not_found": "Dit bestaat niet (meer), of is niet voor u.", "invalid_emergency_contact": "Controleer de noodnummers: elk nummer heeft een naam en een geldig telefoonnummer nodig.", "read_only": "De school beheert deze gegevens; vraag de administratie om ze te wijzigen.", "consent_version_outdated": "De privacyverklaring is gewijzigd. Laad de pagina opnieuw en ga opnieuw akkoord.", "csrf_token_invalid": "Uw sessie is verlopen. Log opnieuw in.", "wrong_credentials": "Verkeerd e-mailadres of wachtwoord.", "two_factor_code_wrong": "Deze code klopt niet of is al gebruikt. Voer de code in die de app nu toont.", "two_factor_required_by_school": "De school vereist inloggen in twee stappen; het kan niet uit.", "two_factor_setup_required": "De school vereist inloggen in twee stappen: stel het eerst in onder Account.", "rate_limited": "Te veel pogingen. Wacht een minuut en probeer het opnieuw.", "password_mismatch": "De twee wachtwoorden zijn niet gelijk.", "wrong_current_password": "Het huidige wachtwoord klopt niet.", "password_too_short": "Het wachtwoord is te kort (minstens 8 tekens).", "password_missing_lowercase": "Het wachtwoord heeft een kleine letter nodig.", "password_missing_uppercase": "Het wachtwoord heeft een hoofdletter nodig.", "password_missing_digit": "Het wachtwoord heeft een cijfer nodig.", "password_missing_special": "Het wachtwoord heeft een leesteken nodig.", "password_too_common": "Dit wachtwoord komt te vaak voor; kies een ander.", "consent_required": "Ga akkoord met de privacyverklaring.", "token_expired": "Deze link is verlopen. Vraag een nieuwe aan.", "token_invalid": "Deze link is niet geldig.", "token_used": "Deze link is al gebruikt.", "already_activated": "Dit account is al actief: log in.", "offline": "U bent offline. Probeer het opnieuw als u verbinding heeft.", "internal_error": "Er ging iets mis op de server. Probeer het later opnieuw."},
  },
  de: {
    menu: "Hauptmenü",
    push_failed: "Benachrichtigungen konnten nicht eingeschaltet werden. Versuchen Sie es später noch einmal.",
    app: "Schoolgate", loading: "Wird geladen…", offline: "Sie sind offline. Sie sehen, was vorher geladen wurde.",
    update: "Eine neue Version der App ist bereit.", reload: "Neu laden",
    login: "Anmelden", email: "E-Mail-Adresse", password: "Passwort", forgot: "Passwort vergessen?",
    login_failed: "Das hat nicht geklappt.", logout: "Abmelden", back: "Zurück",
    logout_everywhere: "Auf allen Geräten abmelden", logged_in_as: "Angemeldet als {email}.",
    logout_everywhere_hint: "Handy verloren? So melden Sie sich überall ab, auch hier, und keines Ihrer Geräte bekommt mehr Benachrichtigungen.",
    session_ended: "Sie wurden abgemeldet. Melden Sie sich erneut an, um weiterzumachen.",
    code_label: "Code aus Ihrer Authenticator-App",
    code_hint: "Sechs Ziffern oder einer Ihrer Wiederherstellungscodes.",
    two_factor: "Anmeldung in zwei Schritten",
    two_factor_intro: "Nach Ihrem Passwort geben Sie zusätzlich einen Code aus einer Authenticator-App auf Ihrem Handy ein (etwa FreeOTP, Google Authenticator oder Microsoft Authenticator).",
    two_factor_start: "Anmeldung in zwei Schritten einrichten",
    two_factor_scan: "Scannen Sie diesen Code mit der App oder tippen Sie den Schlüssel unten ab. Geben Sie dann die sechs Ziffern ein, die die App zeigt.",
    two_factor_qr: "QR-Code für Ihre Authenticator-App",
    two_factor_key: "Schlüssel",
    two_factor_turn_on: "Einschalten",
    two_factor_on: "Die Anmeldung in zwei Schritten ist eingeschaltet. Verbleibende Wiederherstellungscodes: {count}.",
    two_factor_turn_off: "Ausschalten",
    two_factor_off_hint: "Zum Ausschalten geben Sie einen Code aus der App oder einen Wiederherstellungscode ein.",
    recovery_codes_intro: "Bewahren Sie diese Wiederherstellungscodes sicher auf, nicht beim Handy. Mit jedem Code melden Sie sich einmal ohne die App an. Sie werden nur jetzt angezeigt.",
    recovery_codes_saved: "Ich habe sie gespeichert",
    two_factor_required_notice: "Die Schule verlangt für Mitarbeitende die Anmeldung in zwei Schritten. Richten Sie sie unten ein, um fortzufahren.",
    forgot_title: "Passwort vergessen", forgot_intro: "Geben Sie Ihre E-Mail-Adresse ein. Gehört sie zu einem Konto, erhalten Sie eine E-Mail mit einem Link für ein neues Passwort.",
    forgot_send: "Link senden", forgot_sent: "Gehört die Adresse zu einem Konto, ist eine E-Mail unterwegs. Sehen Sie in Ihrem Posteingang nach.",
    reset_title: "Neues Passwort wählen", new_password: "Neues Passwort", repeat_password: "Neues Passwort wiederholen",
    reset_save: "Passwort speichern", reset_done: "Ihr Passwort wurde geändert. Melden Sie sich damit an.",
    password_rules: "Mindestens 8 Zeichen mit Klein- und Großbuchstaben, einer Ziffer und einem Sonderzeichen.",
    activate_title: "Konto aktivieren", activate_hello: "Willkommen, {name}. Wählen Sie ein Passwort für {email}.",
    consent: "Ich bin einverstanden, dass die Schule meine Daten verarbeitet, um mir Nachrichten zu senden (Datenschutzerklärung Version {version}).",
    activate_save: "Konto aktivieren", link_invalid: "Dieser Link ist ungültig oder abgelaufen.",
    home: "Start", news: "Aktuelles", children: "Kinder", account: "Konto", compose: "Schreiben",
    urgent: "Dringend", message: "Nachricht", news_kind: "Neuigkeit", unread: "Ungelesen",
    please_confirm: "Bitte bestätigen", confirmed_badge: "Bestätigt", for_children: "Für {names}",
    nothing_yet: "Hier ist noch nichts.",
    confirm: "Empfang bestätigen", confirmed: "Sie haben den Empfang bestätigt.", your_reply: "Ihre Antwort", send: "Senden",
    replies: "Antworten", staff: "Schule", attachments: "Anhänge",
    status: "Gelesen und bestätigt", not_read: "Nicht gelesen", not_confirmed: "Nicht bestätigt", replied: "Geantwortet",
    push_title: "Dringende Mitteilungen auf diesem Gerät", push_on: "Benachrichtigungen auf diesem Gerät einschalten", push_enabled: "Benachrichtigungen sind auf diesem Gerät eingeschaltet.",
    push_blocked: "Benachrichtigungen sind für diese Seite in den Browsereinstellungen gesperrt.", push_unsupported: "Dieser Browser kann keine Benachrichtigungen empfangen. Legen Sie die App zuerst auf den Startbildschirm.",
    push_off: "Auf diesem Gerät ausschalten",
    profile: "Meine Daten", first_name: "Vorname", name_prefix: "Namenszusatz (van, de, von)", last_name: "Nachname", phone: "Telefon", address: "Adresse", language: "Sprache", save: "Speichern", saved: "Gespeichert.",
    emails: "E-Mails", email_kind: { urgent: "Dringende Mitteilungen (immer)", messages: "Wöchentliche Übersicht der Nachrichten", news: "Aktuelles", photo_albums: "Neue Fotoalben", conferences: "Elterngespräche" },
    change_password: "Passwort ändern", current_password: "Aktuelles Passwort",
    emergency: "Notfallnummern", name: "Name", relation: "Beziehung", add_contact: "Nummer hinzufügen", remove: "Entfernen", read_only: "Die Schule verwaltet diese Daten; bitten Sie das Sekretariat um Änderungen.",
    group: "Klasse",
    compose_title: "Neue Mitteilung", kind: "Art", audience: "An", whole_school: "Die ganze Schule", title: "Titel", text: "Text",
    ask_confirmation: "Eltern um Empfangsbestätigung bitten", allow_replies: "Eltern dürfen antworten",
    choose_group: "Wählen Sie mindestens eine Klasse.",
    conversations: "Gespräche", all_conversations: "Alle Gespräche", new_count: "{count} neu",
    unread_messages: "{count} ungelesen", no_conversations: "Noch keine Gespräche. Antworten auf Beiträge erscheinen hier.",
    conversation_with: "Gespräch mit {name}", about_post: "Zu: {title}", no_replies_yet: "Noch keine Antworten.",
    you: "Sie", your_answer: "Ihre Antwort",
    offline_not_kept: "Sie sind offline, und diese Seite wurde noch nicht geladen. Sie erscheint, sobald Sie wieder online sind.",
    push_turning_on: "Wird eingeschaltet…", push_waiting: "Warten auf den Benachrichtigungsdienst des Browsers…",
    push_timeout: "Der Benachrichtigungsdienst hat nicht innerhalb von 8 Sekunden geantwortet. Prüfen Sie Ihre Internetverbindung und versuchen Sie es erneut.",
    push_install_first: "Auf iPhone und iPad gibt es Benachrichtigungen nur in der App auf dem Home-Bildschirm. Legen Sie sie zuerst dort ab, öffnen Sie sie von dort und schalten Sie sie hier ein.",
    push_help_title: "So erlauben Sie Benachrichtigungen wieder",
    push_help_ios: "Öffnen Sie die App Einstellungen.|Tippen Sie auf Mitteilungen und wählen Sie diese App.|Schalten Sie Mitteilungen erlauben ein und kommen Sie hierher zurück.",
    push_help_android: "Tippen Sie auf das Symbol links neben der Adresse (oder öffnen Sie die App-Info: App-Symbol lange drücken, dann App-Info).|Tippen Sie auf Berechtigungen oder Benachrichtigungen.|Erlauben Sie Benachrichtigungen, kommen Sie zurück und laden Sie die Seite neu.",
    push_help_desktop: "Klicken Sie auf das Symbol links neben der Adresse.|Stellen Sie Benachrichtigungen auf Zulassen.|Laden Sie diese Seite neu.",
    install_title: "Die App installieren", install_intro: "Auf dem Home-Bildschirm öffnet sich die App wie jede andere, funktioniert offline und kann Benachrichtigungen zeigen.",
    install_done: "Die App ist auf diesem Gerät installiert.", install_now: "Jetzt installieren",
    install_ios_title: "iPhone und iPad (Safari)", install_ios: "Öffnen Sie diese Seite in Safari.|Tippen Sie auf Teilen (das Quadrat mit dem Pfeil).|Wählen Sie Zum Home-Bildschirm, dann Hinzufügen.|Öffnen Sie die App vom Home-Bildschirm und schalten Sie unter Konto die Benachrichtigungen ein.",
    install_android_title: "Android (Chrome)", install_android: "Öffnen Sie diese Seite in Chrome.|Tippen Sie auf das Menü (drei Punkte oben rechts).|Wählen Sie App installieren oder Zum Startbildschirm hinzufügen.|Öffnen Sie die App vom Startbildschirm und schalten Sie unter Konto die Benachrichtigungen ein.",
    reset_no_token: "Öffnen Sie den Link aus der E-Mail, um ein neues Passwort zu wählen.", send_new_link: "Neuen Link zusenden",
    staff_notices_title: "Benachrichtigungen", staff_notices: "Dringende Mitteilungen, Nachrichten und Neuigkeiten erreichen Eltern per Push und E-Mail. Mitarbeitende bekommen dazu keine E-Mails: Antworten von Eltern stehen auf Start, mit einer Zahl am Reiter.",
    of_read: "von {total} gelesen", of_confirmed: "von {total} bestätigt",
    sent_to: "An {count} Eltern gesendet", read_at: "gelesen {time}", confirmed_at: "bestätigt {time}", call: "{phone} anrufen",
    push_delivery: "Push-Nachrichten: {sent} zugestellt, {pending} unterwegs, {failed} fehlgeschlagen.", email_delivery: "E-Mails: {sent} gesendet, {pending} unterwegs, {failed} fehlgeschlagen.",
    remind: "Die {count} erinnern, die nicht bestätigt haben", reminded: "Erinnerung an alle gesendet, die nicht bestätigt haben ({count}): Push-Nachricht und E-Mail.",
    last_reminder: "Letzte Erinnerung: {time}", all_confirmed: "Alle haben bestätigt.", by_child: "Nach Kind",
    not_found_title: "Seite nicht gefunden", not_found_text: "Diese Seite gibt es nicht. Vielleicht ist der Link veraltet.", to_home: "Zur Startseite",
    release_to_refresh: "Loslassen zum Aktualisieren",
    load_older: "Ältere Beiträge zeigen",
    emergency_explained: "Wen soll die Schule anrufen, wenn Sie nicht erreichbar sind? Tragen Sie zum Beispiel Großeltern oder Nachbarn ein.", removed: "Entfernt.", unsaved_changes: "Noch nicht gespeichert: Drücken Sie Speichern.",
    review: "Vor dem Senden prüfen", review_title: "Prüfen und senden", preview: "Vorschau", change: "Ändern", sending: "Wird gesendet…",
    send_now: "An {parents} Eltern senden", send_urgent: "Dringende Mitteilung an {parents} Eltern senden",
    reach_urgent: "Diese dringende Mitteilung geht sofort an {parents} Eltern von {children} Kindern, per Push-Nachricht und E-Mail.",
    reach_other: "Das geht an {parents} Eltern von {children} Kindern.",
    files_kept: "Angehängt: {names}", attach_files: "Fotos und Dateien (freiwillig)", attach_failed: "Der Beitrag wurde gesendet, aber {name} konnte nicht angehängt werden: {reason}",
    edit: "Ändern", delete: "Löschen", cancel: "Abbrechen", delete_question: "Diesen Beitrag für alle löschen? Er verschwindet aus der App aller Eltern, mit den Antworten.",
    delete_yes: "Ja, für alle löschen", edit_pushes: "Eltern bekommen eine Push-Nachricht, dass diese dringende Mitteilung aktualisiert wurde.", saved_pushed: "Gespeichert. Eltern bekommen eine Push-Nachricht über die Änderung.",
    send_later: "Später senden (optional)", send_later_help: "Datum und Uhrzeit an der Schule. Bis dahin sehen es nur Sie und das Sekretariat.",
    scheduled: "Geplant", scheduled_for: "Geht hinaus {time}", schedule_send: "Für {parents} Eltern planen",
    reach_scheduled: "Dies geht {time} an {parents} Eltern von {children} Kindern (jetzt gezählt).", send_at: "Senden am",
    scheduled_status: "Geplant: Dies geht {time} hinaus. Bis dahin sieht es niemand sonst.",
    agenda: "Termine", agenda_subscribe: "In meinem Kalender abonnieren", agenda_new: "Neuer Termin", agenda_change: "Termin ändern", agenda_empty: "Noch nichts geplant.", all_day: "Ganztägig", cancelled: "Fällt aus", coming_up: "Demnächst", whole_agenda: "Alle Termine", posts: "Beiträge", place: "Ort", description: "Beschreibung", date: "Datum", last_day: "Letzter Tag (bei mehreren Tagen)", start_time: "Von", end_time: "Bis", repeat: "Wiederholung", repeat_none: "Einmalig", repeat_weekly: "Jede Woche", repeat_biweekly: "Alle zwei Wochen", repeat_until: "Zum letzten Mal am", repeat_until_text: "{every} bis einschließlich {until}", not_on: "Nicht am {dates}", skip_date: "Ein Datum auslassen", skip_add: "Auslassen", add_to_calendar: "In meinen Kalender (.ics)", manage_item: "Verwalten", cancel_item: "Absagen", restore_item: "Findet doch statt", delete_item_question: "Diesen Termin für alle löschen? Er verschwindet auch aus abonnierten Kalendern.", delete_item_yes: "Ja, löschen", subscribe_title: "In Ihrem Kalender abonnieren", subscribe_intro: "Ihre Kalender-App (Google, Apple, Outlook) zeigt dann die Termine der Schule und hält sie aktuell. Der Link ist persönlich: Wer ihn hat, sieht Ihre Termine. Geben Sie ihn nicht weiter.", subscribe_scope: "Welche Termine", subscribe_make: "Meinen Kalender-Link erstellen", subscribe_ready: "Ihr Kalender-Link", subscribe_link: "Link", subscribe_copy: "Link kopieren", copied: "Kopiert.", subscribe_open: "In meiner Kalender-App öffnen", subscribe_shown_once: "Bewahren Sie den Link jetzt auf: Zu Ihrer Sicherheit zeigen wir ihn nur einmal. Verloren? Erstellen Sie einen neuen; der alte funktioniert dann nicht mehr.", subscribe_how: "So fügen Sie ihn hinzu", help_google: "Öffnen Sie Google Kalender am Computer, wählen Sie Weitere Kalender, +, Per URL, und fügen Sie den Link ein. Google aktualisiert abonnierte Kalender nur alle 12 bis 24 Stunden; Änderungen kommen dort also später an.", help_apple: "Tippen Sie auf iPhone, iPad oder Mac auf In meiner Kalender-App öffnen und bestätigen Sie. Oder: Einstellungen, Kalender, Accounts, Account hinzufügen, Andere, Kalenderabo hinzufügen, und den Link einfügen.", help_outlook: "Wählen Sie Kalender hinzufügen, Aus dem Internet abonnieren, und fügen Sie den Link ein.", feeds_active: "Ihre Kalender-Links", feed_all: "Alle meine Termine", feed_child: "Nur {name}", feed_used: "Zuletzt abgerufen am {when}", feed_never: "Noch von keiner Kalender-App abgerufen", feed_renew: "Neuen Link erstellen", feed_revoke: "Diesen Link beenden", feed_revoked: "Der Link funktioniert nicht mehr.",
    documents: "Dokumente", agenda_sections: "Termine und Dokumente", documents_empty: "Noch keine Dokumente.", folder_empty: "Noch nichts in diesem Ordner.", folder_new: "Neuer Ordner", folder_name: "Name des Ordners", folder_make: "Ordner anlegen", upload: "Dokument hochladen", file: "Datei", document_title: "Titel (freiwillig)", uploaded: "Hochgeladen.", new_version: "Neue Version", new_badge: "Neu", version: "Version {n}", delete_folder: "Diesen Ordner löschen", delete_folder_question: "Den Ordner „{name}“ mit allen Dokumenten für alle löschen?", delete_document_question: "„{title}“ für alle löschen?",
    albums: "Fotos", albums_title: "Fotoalben", albums_empty: "Noch keine Fotoalben.", album_new: "Neues Album", album_title: "Titel", album_description: "Beschreibung (freiwillig)", album_make: "Album anlegen", album_draft: "Entwurf", photos_count: "{count} Fotos", photos_hidden: "{count} für Eltern nicht sichtbar", album_add_photos: "Fotos hinzufügen", album_choose_photos: "Fotos auswählen", album_uploading: "{name} wird hochgeladen", album_upload_failed: "{name}: {reason}", album_retry: "Erneut versuchen", album_processing: "Wird vorbereitet…", album_failed_photo: "Dieses Foto ließ sich nicht verwenden", album_publish: "Veröffentlichen", album_published: "Veröffentlicht. Die Eltern bekommen eine E-Mail.", album_published_on: "Veröffentlicht: {date}", album_delete: "Album löschen", album_delete_question: "Das Album „{title}“ mit allen Fotos für alle löschen?", photo_delete: "Foto löschen", photo_tag: "Wer ist darauf?", photo_tags_save: "Speichern", photo_no_recognisable: "Kein Kind erkennbar", photo_untagged: "Noch nicht markiert: Eltern sehen es nicht", photo_no_consent: "Für Eltern verborgen: keine Einwilligung für {names}", photo_tagged: "Darauf: {names}", photo_shown: "Eltern sehen es", no_consent_mark: "keine Einwilligung", album_publish_explained: "Markieren Sie auf jedem Foto die Kinder (oder dass kein Kind erkennbar ist), bevor Sie veröffentlichen. Fotos von Kindern ohne Einwilligung bleiben für Eltern verborgen.", viewer: "Foto {n} von {total}", viewer_close: "Schließen", viewer_previous: "Vorheriges Foto", viewer_next: "Nächstes Foto", photo_download: "Herunterladen", photo_open: "Foto {n} öffnen", album_children_no_consent: "Keine Einwilligung für Alben: {names}", photo_consent: "Einwilligung für Fotos", photo_consent_explained: "Darf die Schule Fotos verwenden, auf denen {name} erkennbar ist? Sie können das jederzeit ändern.", consent_albums: "Fotoalben in dieser App (Eltern der Klasse)", consent_website: "Die Website der Schule", consent_print: "Newsletter und Gedrucktes", consent_yes: "Ja", consent_no: "Nein", consent_unanswered: "Nicht beantwortet: gilt als Nein", consent_year: "Schuljahr {year}", consent_each_year: "Die Schule fragt jedes Schuljahr neu.", consent_locked: "Die Schule hat die Einwilligung für dieses Jahr abgeschlossen; widerrufen können Sie sie weiterhin.",
    people_sections: "Kinder und Klassen", groups: "Klassen", your_group: "Ihre", children_count: "{count} Kinder", label: "Art", label_mobile: "Mobil", label_work: "Arbeit", label_home: "Privat", label_other: "Andere", birthday: "Geburtstag", teachers: "Lehrkräfte", directory_off: "An dieser Schule sehen Eltern die Angaben anderer Familien hier nicht, nur das Personal.", unlisted_children: "Noch {count} Kinder, deren Familien sie für Sie nicht zeigen.", directory_how: "Jede Familie entscheidet selbst, was andere sehen.", privacy_settings: "Datenschutz: wer sieht was", field_parent_phone: "Meine Telefonnummern", field_parent_email: "Meine E-Mail-Adressen", field_parent_address: "Meine Adresse", field_parent_photo: "Mein Foto", field_child_name: "Name in der Klassenliste", field_child_photo: "Foto", field_child_birthday: "Geburtstag", audience_nobody: "Niemand (nur das Sekretariat)", audience_staff: "Lehrkräfte und Personal", audience_group_parents: "Auch Eltern derselben Klasse", audience_school_parents: "Auch alle Eltern der Schule", locked_by_school: "Von der Schule festgelegt", privacy_preview: "Was andere sehen", privacy_preview_as: "Gesehen von", viewer_parent_in_same_group: "Klasseneltern", viewer_parent_of_school: "Andere Eltern", viewer_teacher_of_group: "Lehrkräfte", preview_not_listed: "Ihre Kinder stehen für sie nicht in der Klassenliste; wo Sie erscheinen, sehen sie nur dies von Ihnen:", privacy_intro: "Nichts wird geteilt, bis Sie es teilen. Wählen Sie je Angabe, wer sie sehen darf: Andere Eltern erreichen Sie dann über die Klassenliste, denn die Schule führt keine Telefonlisten.", privacy_me: "Über mich", photo_replace: "Foto ändern", photo_add: "Foto hinzufügen", uploading: "Wird hochgeladen…", notes: "Notizen der Lehrkraft", notes_empty: "Noch keine Notizen. Die Klassenlehrkraft kann Ihnen hier schreiben.", notes_empty_teacher: "Noch keine Notizen. Was Sie hier schreiben, lesen nur die Eltern dieses Kindes (sie bekommen eine Benachrichtigung).", note_new: "Neue Notiz für die Eltern", note_hint: "Nur die Eltern dieses Kindes und die Lehrkräfte der Klasse lesen sie.", note_send: "Notiz senden", note_sent: "Gesendet. Die Eltern bekommen eine Benachrichtigung.", child_details: "Foto und Geburtstag", privacy_child: "Wer was von Ihrem Kind sieht", people_title: "Klassenlisten und Datenschutz", contact_details: "Kontaktdaten", phones: "Telefonnummern", no_phones: "Noch keine Telefonnummer.", add_phone: "Telefonnummer hinzufügen", extra_emails: "Weitere E-Mail-Adressen", extra_emails_hint: "Um Sie zu erreichen; Sie melden sich weiter mit Ihrer Anmeldeadresse an.", add_email: "E-Mail-Adresse hinzufügen", login_address: "E-Mail-Adresse zum Anmelden", login_address_now: "Sie melden sich mit {email} an.", email_change_pending: "Ein Bestätigungslink ging an {email}. Ihr Anmeldename ändert sich, sobald Sie ihn öffnen.", email_change_cancel: "Änderung abbrechen", new_email: "Neue E-Mail-Adresse", email_change_hint: "Wir senden einen Link an die neue Adresse. Bis Sie ihn öffnen, melden Sie sich mit der bisherigen an.", email_change_send: "Bestätigungslink senden", confirm_email_title: "Neue Anmeldeadresse", confirm_email_done: "Erledigt: Sie melden sich ab jetzt mit {email} an.",
    my_children: "Meine Kinder", pupils: "Schüler",
    unlisted_child: "Noch 1 Kind, dessen Familie es für Sie nicht zeigt.",
    errors: {"processing_failed": "Es ließ sich nicht verarbeiten; senden Sie es erneut.", "upload_missing": "Der Upload ging verloren; senden Sie ihn erneut.", "untagged_photos": "Markieren Sie zuerst jedes Foto (oder dass kein Kind erkennbar ist).", "photos_processing": "Einige Fotos werden noch vorbereitet. Veröffentlichen Sie gleich.", "empty_album": "Fügen Sie zuerst Fotos hinzu.", "album_full": "Dieses Album ist voll: Legen Sie ein neues an.", "consent_locked": "Die Schule hat die Einwilligung für dieses Jahr abgeschlossen: Wenden Sie sich an das Sekretariat.", "download_not_allowed": "Die Schule erlaubt das Herunterladen von Fotos nicht.", "tags_conflict": "Ein Foto mit markierten Kindern zeigt erkennbare Kinder.", "unknown_child": "Dieses Kind ist nicht in der Klasse des Albums.", "unsupported_image_type": "Senden Sie ein Foto als JPEG, PNG oder WebP (auf dem iPhone: Einstellungen, Kamera, Formate, Maximale Kompatibilität).", "image_too_large": "Dieses Bild ist zu groß.", "unreadable_image": "Dieses Foto konnte nicht gelesen werden.", "invalid_phone": "Prüfen Sie die Telefonnummer: 6 bis 20 Ziffern.", "invalid_email": "Das ist keine gültige E-Mail-Adresse.", "duplicate_email": "Diese Adresse steht schon in der Liste oder ist Ihre Anmeldeadresse.", "too_many_contacts": "Höchstens 5 von jeder Art.", "same_email": "Das ist bereits Ihre Anmeldeadresse.", "email_taken": "Diese Adresse gehört zu einem anderen Konto und kann daher nicht Ihr Anmeldename werden. Es wurde nichts geändert.", "field_locked": "Die Schule legt fest, wer das sieht.", "wrong_field": "Diese Einstellung gehört nicht hierher.", "invalid_birthday": "Ein Geburtstag liegt zwischen 1990 und heute.", "invalid_note": "Eine Notiz hat 1 bis 4.000 Zeichen.", "teachers_of_group_only": "Notizen schreiben die Lehrkräfte der Klasse.", "not_author": "Nur die Lehrkraft, die die Notiz schrieb, kann sie ändern.", "payload_too_large": "Die Datei ist zu groß.", "file_type_not_allowed": "Diese Art Datei wird nicht angenommen: nur PDF, Bilder, Office-Dokumente und reiner Text.", "file_too_large": "Die Datei ist zu groß.", "empty_file": "Die Datei ist leer.", "pdf_with_javascript": "Dieses PDF enthält Skripte: Drucken Sie es zuerst in ein neues PDF.", "times_incomplete": "Geben Sie Beginn und Ende an, oder wählen Sie Ganztägig.", "end_before_start": "Das Ende muss nach dem Beginn liegen.", "item_too_long": "Ein Termin dauert höchstens 62 Tage.", "invalid_repeat_until": "Das letzte Mal muss am oder nach dem ersten Tag liegen, innerhalb von zwei Jahren.", "repeat_overlaps": "Ein wiederholter Termin muss enden, bevor er wiederkommt.", "skip_not_an_occurrence": "Ein ausgelassenes Datum muss ein Tag sein, an dem der Termin wiederkommt.", "invalid_range": "Wählen Sie einen kürzeren Zeitraum.", "publish_at_in_past": "Der Sendezeitpunkt muss in der Zukunft liegen.", "publish_at_too_far": "Ein Beitrag lässt sich höchstens 90 Tage im Voraus planen.", "already_published": "Dieser Beitrag ist schon hinausgegangen; der Zeitpunkt lässt sich nicht mehr ändern.", "not_published_yet": "Dieser Beitrag ist noch nicht hinausgegangen.", "reminded_recently": "Vor weniger als 15 Minuten ging schon eine Erinnerung hinaus. Bitte warten Sie etwas.", "no_confirmation_asked": "Dieser Beitrag bittet um keine Bestätigung.", "no_audience": "Wählen Sie mindestens eine Klasse.", "not_own_group": "Sie können nur an Ihre eigenen Klassen schreiben.", "school_audience_needs_admin": "Nur das Sekretariat kann an die ganze Schule schreiben.", "invalid_title": "Der Titel braucht 1 bis 200 Zeichen.", "invalid_body_text": "Der Text ist leer oder zu lang.", "forbidden": "Das dürfen Sie nicht.", "unauthenticated": "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.", "account_disabled": "Dieses Konto ist gesperrt. Wenden Sie sich an die Schule.", "not_found": "Das gibt es nicht (mehr), oder es ist nicht für Sie.", "invalid_emergency_contact": "Prüfen Sie die Notfallnummern: Jede braucht einen Namen und eine gültige Telefonnummer.", "read_only": "Die Schule verwaltet diese Daten; bitten Sie das Sekretariat um Änderungen.", "consent_version_outdated": "Die Datenschutzerklärung wurde geändert. Laden Sie die Seite neu und stimmen Sie erneut zu.", "csrf_token_invalid": "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.", "wrong_credentials": "Falsche E-Mail-Adresse oder falsches Passwort.", "two_factor_code_wrong": "Dieser Code stimmt nicht oder wurde schon benutzt. Geben Sie den Code ein, den die App jetzt zeigt.", "two_factor_required_by_school": "Die Schule verlangt die Anmeldung in zwei Schritten; sie lässt sich nicht ausschalten.", "two_factor_setup_required": "Die Schule verlangt die Anmeldung in zwei Schritten: Richten Sie sie zuerst unter Konto ein.", "rate_limited": "Zu viele Versuche. Bitte warten Sie eine Minute.", "password_mismatch": "Die beiden Passwörter sind nicht gleich.", "wrong_current_password": "Das aktuelle Passwort stimmt nicht.", "password_too_short": "Das Passwort ist zu kurz (mindestens 8 Zeichen).", "password_missing_lowercase": "Das Passwort braucht einen Kleinbuchstaben.", "password_missing_uppercase": "Das Passwort braucht einen Großbuchstaben.", "password_missing_digit": "Das Passwort braucht eine Ziffer.", "password_missing_special": "Das Passwort braucht ein Sonderzeichen.", "password_too_common": "Dieses Passwort ist zu verbreitet; wählen Sie ein anderes.", "consent_required": "Bitte stimmen Sie der Datenschutzerklärung zu.", "token_expired": "Dieser Link ist abgelaufen. Fordern Sie einen neuen an.", "token_invalid": "Dieser Link ist ungültig.", "token_used": "Dieser Link wurde schon benutzt.", "already_activated": "Dieses Konto ist schon aktiv: Melden Sie sich an.", "offline": "Sie sind offline. Versuchen Sie es erneut, wenn Sie verbunden sind.", "internal_error": "Auf dem Server ist etwas schiefgegangen. Bitte versuchen Sie es später noch einmal."},
  },
};

export const LANGUAGES = { nl: "Nederlands", de: "Deutsch", en: "English" };

export function browserLanguage() {
  for (const tag of navigator.languages || [navigator.language || "en"]) {
    const code = (tag || "").slice(0, 2).toLowerCase();
    if (code in TEXTS) return code;
  }
  return "en";
}

let current = browserLanguage();
document.documentElement.lang = current;

export function setLanguage(code) {
  current = code in TEXTS ? code : "en";
  document.documentElement.lang = current;
}

export function language() {
  return current;
}

/** The text `key` in the current language, with `{name}` placeholders filled. */
export function t(key, values = {}) {
  const text = key.split(".").reduce((node, part) => node?.[part], TEXTS[current]) ?? key;
  return String(text).replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
}

/** The message for an API error: ours for codes we know, else the server's (in English). */
export function errorText(error) {
  const known = TEXTS[current].errors[error?.code];
  return known || error?.message || TEXTS[current].errors.internal_error;
}

/** The school's time zone: dates are shown as the school sees them (not the phone's). */
let timeZone;

export function setTimeZone(zone) {
  timeZone = zone || undefined;
}

/** The wall clock at the school at `moment` (ms or Date), as numbers-as-strings by part. */
function schoolClock(moment) {
  return Object.fromEntries(new Intl.DateTimeFormat("en-US", {
    timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  }).formatToParts(new Date(moment)).map((part) => [part.type, part.value]));
}

/** The moment a date and time at the school ("2026-12-09T17:30", as a datetime-local
 * input gives it) stands for, as an ISO string in UTC; DST-safe. */
export function schoolTimeToIso(local) {
  const [day, clock] = local.split("T");
  const [year, month, date] = day.split("-").map(Number);
  const [hour, minute] = clock.split(":").map(Number);
  const wall = Date.UTC(year, month - 1, date, hour, minute);
  // The zone's offset at a moment: its wall clock there minus the moment itself.
  const offsetAt = (moment) => {
    const parts = schoolClock(moment);
    return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute) - moment;
  };
  return new Date(wall - offsetAt(wall - offsetAt(wall))).toISOString();
}

/** An ISO moment as a datetime-local value at the school ("2026-12-09T17:30"). */
export function isoToSchoolTime(iso) {
  const parts = schoolClock(iso);
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** The calendar day of `date` in the school's time zone, as YYYY-MM-DD. */
function dayOf(date) {
  return date.toLocaleDateString("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
}

/** "today, 09:12", "yesterday, 17:30", "tomorrow, 08:00" (scheduled posts), "Thu 3 Dec, 09:12", with the year when not this year. */
const LOCALES = { nl: "nl-NL", de: "de-DE", en: "en-GB" };

/** A school day ("2026-10-21") as text: the day is the school's, so it is read as UTC. */
export function formatDay(iso, options = { weekday: "short", day: "numeric", month: "short" }) {
  const [year, month, date] = iso.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, date)).toLocaleDateString(LOCALES[language()], { timeZone: "UTC", ...options });
}

export function formatDate(iso, now = new Date()) {
  const locale = { nl: "nl-NL", de: "de-DE", en: "en-GB" }[current];
  const date = new Date(iso);
  const time = date.toLocaleTimeString(locale, { timeZone, hour: "2-digit", minute: "2-digit" });
  const days = { [dayOf(now)]: 0, [dayOf(new Date(now.getTime() - 86400000))]: -1, [dayOf(new Date(now.getTime() + 86400000))]: 1 };
  const relative = days[dayOf(date)];
  if (relative !== undefined) {
    return `${new Intl.RelativeTimeFormat(locale, { numeric: "auto" }).format(relative, "day")}, ${time}`;
  }
  const sameYear = dayOf(date).slice(0, 4) === dayOf(now).slice(0, 4);
  const day = date.toLocaleDateString(locale, { timeZone, weekday: "short", day: "numeric", month: "short", year: sameYear ? undefined : "numeric" });
  return `${day}, ${time}`;
}
