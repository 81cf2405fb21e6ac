<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../app/about.py" line="104"/>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <location filename="../../app/about.py" line="105"/>
        <source>Licence</source>
        <translation>Lizenz</translation>
    </message>
    <message>
        <location filename="../../app/about.py" line="113"/>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <location filename="../../app/about.py" line="113"/>
        <source>%1 (setting: %2; available: %3)</source>
        <translation>%1 (Einstellung: %2; verfügbar: %3)</translation>
    </message>
    <message>
        <location filename="../../app/about.py" line="116"/>
        <source>%1 on %2</source>
        <translation>%1 auf %2</translation>
    </message>
    <message>
        <location filename="../../app/about.py" line="127"/>
        <source>About %1</source>
        <translation>Über %1</translation>
    </message>
    <message>
        <location filename="../../app/about.py" line="137"/>
        <source>%1:</source>
        <translation>%1:</translation>
    </message>
    <message>
        <location filename="../../app/about.py" line="140"/>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <location filename="../../app/about.py" line="141"/>
        <source>Copy every version as JSON, for a bug report</source>
        <translation>Alle Versionen als JSON kopieren, für einen Fehlerbericht</translation>
    </message>
    <message>
        <location filename="../../app/about.py" line="144"/>
        <location filename="../../app/about.py" line="163"/>
        <source>Third-party notices</source>
        <translation>Hinweise zu Drittanbietern</translation>
    </message>
    <message>
        <location filename="../../app/about.py" line="156"/>
        <source>%1 is licensed under %2.

This is a source install: the notices for the libraries an installer bundles are generated when it is built (packaging/notices.py).</source>
        <translation>%1 steht unter der Lizenz %2.

Dies ist eine Installation aus dem Quellcode: Die Hinweise zu den Bibliotheken, die ein Installer mitbringt, entstehen beim Bauen (packaging/notices.py).</translation>
    </message>
</context>
<context>
    <name>AlarmBadge</name>
    <message numerus="yes">
        <location filename="../../app/views/health_view.py" line="147"/>
        <source>%n drift alarms</source>
        <translation>
            <numerusform>%n Drift-Alarm</numerusform>
            <numerusform>%n Drift-Alarme</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="148"/>
        <source>New images do not look like the catalog&apos;s reference. Click to review in Health.</source>
        <translation>Neue Bilder sehen anders aus als die Referenz des Katalogs. Klicken, um sie unter „Zustand“ zu prüfen.</translation>
    </message>
</context>
<context>
    <name>AnalyticsView</name>
    <message numerus="yes">
        <location filename="../../app/views/analytics_view.py" line="32"/>
        <source>Last %n days</source>
        <translation>
            <numerusform>Letzter Tag</numerusform>
            <numerusform>Letzte %n Tage</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/analytics_view.py" line="35"/>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <location filename="../../app/views/analytics_view.py" line="53"/>
        <source>Queries per day</source>
        <translation>Suchen pro Tag</translation>
    </message>
    <message>
        <location filename="../../app/views/analytics_view.py" line="53"/>
        <location filename="../../app/views/analytics_view.py" line="54"/>
        <source>day</source>
        <translation>Tag</translation>
    </message>
    <message>
        <location filename="../../app/views/analytics_view.py" line="53"/>
        <location filename="../../app/views/analytics_view.py" line="55"/>
        <source>queries</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <location filename="../../app/views/analytics_view.py" line="54"/>
        <source>Zero-result rate</source>
        <translation>Anteil ohne Ergebnis</translation>
    </message>
    <message>
        <location filename="../../app/views/analytics_view.py" line="54"/>
        <source>share</source>
        <translation>Anteil</translation>
    </message>
    <message>
        <location filename="../../app/views/analytics_view.py" line="55"/>
        <source>Latency</source>
        <translation>Antwortzeit</translation>
    </message>
    <message>
        <location filename="../../app/views/analytics_view.py" line="55"/>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <location filename="../../app/views/analytics_view.py" line="56"/>
        <source>Clicks by rank</source>
        <translation>Klicks nach Rang</translation>
    </message>
    <message>
        <location filename="../../app/views/analytics_view.py" line="56"/>
        <source>rank</source>
        <translation>Rang</translation>
    </message>
    <message>
        <location filename="../../app/views/analytics_view.py" line="56"/>
        <source>clicks</source>
        <translation>Klicks</translation>
    </message>
    <message>
        <location filename="../../app/views/analytics_view.py" line="94"/>
        <source>Could not read analytics: %1</source>
        <translation>Auswertung konnte nicht gelesen werden: %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/analytics_view.py" line="106"/>
        <source>%n queries</source>
        <translation>
            <numerusform>%n Suche</numerusform>
            <numerusform>%n Suchen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/analytics_view.py" line="107"/>
        <source>%1 with no results</source>
        <translation>%1 ohne Ergebnis</translation>
    </message>
    <message>
        <location filename="../../app/views/analytics_view.py" line="108"/>
        <source>latency p50 %1 ms, p95 %2 ms</source>
        <translation>Antwortzeit p50 %1 ms, p95 %2 ms</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/analytics_view.py" line="109"/>
        <source>%n clicks</source>
        <translation>
            <numerusform>%n Klick</numerusform>
            <numerusform>%n Klicks</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/analytics_view.py" line="123"/>
        <location filename="../../app/views/analytics_view.py" line="130"/>
        <location filename="../../app/views/analytics_view.py" line="135"/>
        <source>No searches in these days</source>
        <translation>Keine Suchen in diesem Zeitraum</translation>
    </message>
    <message>
        <location filename="../../app/views/analytics_view.py" line="137"/>
        <source>No result was opened from a search yet</source>
        <translation>Noch kein Suchergebnis geöffnet</translation>
    </message>
</context>
<context>
    <name>BatchBar</name>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="21"/>
        <source>Delete %n products</source>
        <translation>
            <numerusform>%n Produkt löschen</numerusform>
            <numerusform>%n Produkte löschen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="40"/>
        <source>%n products</source>
        <translation>
            <numerusform>%n Produkt</numerusform>
            <numerusform>%n Produkte</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/batch_bar.py" line="54"/>
        <source>Approve</source>
        <translation>Freigeben</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_bar.py" line="55"/>
        <source>Flag</source>
        <translation>Markieren</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_bar.py" line="57"/>
        <source>Add a label to all… (Enter)</source>
        <translation>Allen ein Label geben … (Eingabe)</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_bar.py" line="58"/>
        <source>Label for the selected products</source>
        <translation>Label für die ausgewählten Produkte</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_bar.py" line="68"/>
        <source>Re-index</source>
        <translation>Neu indexieren</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_bar.py" line="69"/>
        <source>Run detection and embedding again for the selected products (boxes a curator drew or moved are kept)</source>
        <translation>Erkennung und Einbettung für die ausgewählten Produkte neu ausführen (von Kuratoren gezeichnete oder verschobene Rahmen bleiben erhalten)</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_bar.py" line="71"/>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_bar.py" line="88"/>
        <source>Edit fields…</source>
        <translation>Felder bearbeiten …</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_bar.py" line="89"/>
        <source>Set, append or remove an attribute, set the category, find and replace in titles or descriptions; a preview shows every change</source>
        <translation>Attribut setzen, ergänzen oder entfernen, Kategorie setzen, in Titeln oder Beschreibungen suchen und ersetzen; eine Vorschau zeigt jede Änderung</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="95"/>
        <source>%n selected</source>
        <translation>
            <numerusform>%n ausgewählt</numerusform>
            <numerusform>%n ausgewählt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="96"/>
        <source>Approve the %n selected products (Ctrl+Z undoes)</source>
        <translation>
            <numerusform>Das ausgewählte Produkt freigeben (Strg+Z macht es rückgängig)</numerusform>
            <numerusform>Die %n ausgewählten Produkte freigeben (Strg+Z macht es rückgängig)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="97"/>
        <source>Flag the %n selected products (Ctrl+Z undoes)</source>
        <translation>
            <numerusform>Das ausgewählte Produkt markieren (Strg+Z macht es rückgängig)</numerusform>
            <numerusform>Die %n ausgewählten Produkte markieren (Strg+Z macht es rückgängig)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="98"/>
        <source>Delete the %n selected products (Ctrl+Z undoes)</source>
        <translation>
            <numerusform>Das ausgewählte Produkt löschen (Strg+Z macht es rückgängig)</numerusform>
            <numerusform>Die %n ausgewählten Produkte löschen (Strg+Z macht es rückgängig)</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/batch_bar.py" line="106"/>
        <source>Select products first (Ctrl/Shift+click, Ctrl+A)</source>
        <translation>Zuerst Produkte auswählen (Strg/Umschalt+Klick, Strg+A)</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="122"/>
        <source>Approved %n products — Ctrl+Z undoes all of them</source>
        <translation>
            <numerusform>%n Produkt freigegeben – Strg+Z macht es rückgängig</numerusform>
            <numerusform>%n Produkte freigegeben – Strg+Z macht alle rückgängig</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="123"/>
        <source>Flagged %n products — Ctrl+Z undoes all of them</source>
        <translation>
            <numerusform>%n Produkt markiert – Strg+Z macht es rückgängig</numerusform>
            <numerusform>%n Produkte markiert – Strg+Z macht alle rückgängig</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/batch_bar.py" line="129"/>
        <source>Type a label first, e.g. colours: red or a word of your own</source>
        <translation>Zuerst ein Label eingeben, z. B. colours: red oder ein eigenes Wort</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="135"/>
        <source>Label “%1” added to %n products — Ctrl+Z undoes</source>
        <translation>
            <numerusform>Label „%1“ zu %n Produkt hinzugefügt – Strg+Z macht es rückgängig</numerusform>
            <numerusform>Label „%1“ zu %n Produkten hinzugefügt – Strg+Z macht es rückgängig</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="142"/>
        <source>Re-indexing %n products — progress below</source>
        <translation>
            <numerusform>%n Produkt wird neu indexiert – Fortschritt unten</numerusform>
            <numerusform>%n Produkte werden neu indexiert – Fortschritt unten</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/batch_bar.py" line="150"/>
        <source>%1 — Ctrl+Z undoes</source>
        <translation>%1 – Strg+Z macht es rückgängig</translation>
    </message>
</context>
<context>
    <name>BatchEditDialog</name>
    <message numerus="yes">
        <location filename="../../app/views/batch_edit.py" line="37"/>
        <location filename="../../app/views/batch_edit.py" line="187"/>
        <source>Edit fields of %n product(s)</source>
        <translation>
            <numerusform>Felder von %n Produkt bearbeiten</numerusform>
            <numerusform>Felder von %n Produkten bearbeiten</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="40"/>
        <source>Leave attributes</source>
        <translation>Attribute unverändert lassen</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="40"/>
        <source>Set</source>
        <translation>Setzen</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="41"/>
        <source>Append to</source>
        <translation>Ergänzen</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="41"/>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="43"/>
        <source>attribute, e.g. color</source>
        <translation>Attribut, z. B. color</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="44"/>
        <source>value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="49"/>
        <source>Set the category to</source>
        <translation>Kategorie setzen auf</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="50"/>
        <source>e.g. Men/Tops/Hoodies</source>
        <translation>z. B. Men/Tops/Hoodies</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="56"/>
        <source>Titles</source>
        <translation>Titel</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="57"/>
        <source>Descriptions</source>
        <translation>Beschreibungen</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="58"/>
        <source>find</source>
        <translation>suchen</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="59"/>
        <source>replace with</source>
        <translation>ersetzen durch</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="60"/>
        <source>Regular expression</source>
        <translation>Regulärer Ausdruck</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="61"/>
        <source>Match case</source>
        <translation>Groß-/Kleinschreibung beachten</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="64"/>
        <source>In:</source>
        <translation>In:</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="65"/>
        <source>Find:</source>
        <translation>Suchen:</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="66"/>
        <source>Replace with:</source>
        <translation>Ersetzen durch:</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="72"/>
        <source>What to change</source>
        <translation>Was geändert wird</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="76"/>
        <source>Find and replace</source>
        <translation>Suchen und ersetzen</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="81"/>
        <source>SKU</source>
        <translation>Artikelnummer</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="81"/>
        <source>Change</source>
        <translation>Änderung</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="92"/>
        <source>Preview: every change, before anything is written</source>
        <translation>Vorschau: jede Änderung, bevor etwas geschrieben wird</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="129"/>
        <source>Working out the changes…</source>
        <translation>Änderungen werden ermittelt …</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="142"/>
        <source>Choose what to change.</source>
        <translation>Wählen Sie, was geändert werden soll.</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="176"/>
        <source>Cannot apply: {0}</source>
        <translation>Nicht anwendbar: {0}</translation>
    </message>
    <message>
        <location filename="../../app/views/batch_edit.py" line="178"/>
        <source>{0} changes in {1} of {2} products; the others already have these values.</source>
        <translation>{0} Änderungen in {1} von {2} Produkten; die übrigen haben diese Werte bereits.</translation>
    </message>
</context>
<context>
    <name>CatalogGrid</name>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="57"/>
        <source>Title</source>
        <translation>Titel</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="57"/>
        <source>SKU</source>
        <translation>Artikelnummer</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="58"/>
        <source>Newest</source>
        <translation>Neueste</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="58"/>
        <source>Category</source>
        <translation>Kategorie</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="63"/>
        <source>Indexed: searchable</source>
        <translation>Indexiert: auffindbar</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="64"/>
        <source>Not indexed yet: not searchable</source>
        <translation>Noch nicht indexiert: nicht auffindbar</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="65"/>
        <source>Indexing failed: see its History</source>
        <translation>Indexierung fehlgeschlagen: siehe Verlauf</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="66"/>
        <source>Corrected by a curator</source>
        <translation>Von einem Kurator korrigiert</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="67"/>
        <source>Approved in review</source>
        <translation>In der Prüfung freigegeben</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="68"/>
        <source>Flagged for another look</source>
        <translation>Zur erneuten Prüfung markiert</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="72"/>
        <source>All</source>
        <translation>Alle</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="72"/>
        <source>Indexed</source>
        <translation>Indexiert</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="73"/>
        <source>Not indexed</source>
        <translation>Nicht indexiert</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="73"/>
        <source>Errors</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="74"/>
        <source>Corrected</source>
        <translation>Korrigiert</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="190"/>
        <source>Filter by title or SKU</source>
        <translation>Nach Titel oder Artikelnummer filtern</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="191"/>
        <source>Filter products</source>
        <translation>Produkte filtern</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="198"/>
        <source>Sort products by</source>
        <translation>Produkte sortieren nach</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="201"/>
        <source>Group by design</source>
        <translation>Nach Design gruppieren</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="202"/>
        <source>One tile per design, with its colours; double-click a design to show its variants</source>
        <translation>Eine Kachel pro Design, mit seinen Farben; Doppelklick auf ein Design zeigt seine Varianten</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="208"/>
        <source>Category:</source>
        <translation>Kategorie:</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="216"/>
        <source>Picture size of the tiles (kept in the catalog&apos;s settings)</source>
        <translation>Bildgröße der Kacheln (in den Einstellungen des Katalogs gespeichert)</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="217"/>
        <source>Tile size</source>
        <translation>Kachelgröße</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="220"/>
        <source>Sort:</source>
        <translation>Sortierung:</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="223"/>
        <source>Size:</source>
        <translation>Größe:</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="230"/>
        <source>Products</source>
        <translation>Produkte</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/catalog_grid.py" line="295"/>
        <source>%n designs and products</source>
        <translation>
            <numerusform>%n Design oder Produkt</numerusform>
            <numerusform>%n Designs und Produkte</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/catalog_grid.py" line="297"/>
        <source>%n products</source>
        <translation>
            <numerusform>%n Produkt</numerusform>
            <numerusform>%n Produkte</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="341"/>
        <source>Select products first (Ctrl/Shift+click, Ctrl+A)</source>
        <translation>Zuerst Produkte auswählen (Strg/Umschalt+Klick, Strg+A)</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="358"/>
        <source>Showing every variant of design %1</source>
        <translation>Alle Varianten von Design %1</translation>
    </message>
    <message>
        <location filename="../../app/views/catalog_grid.py" line="414"/>
        <source>%1 — press Ctrl+Z to undo</source>
        <translation>%1 – Strg+Z macht es rückgängig</translation>
    </message>
</context>
<context>
    <name>CollectionsSidebar</name>
    <message>
        <location filename="../../app/views/collections_sidebar.py" line="48"/>
        <source>New collection…</source>
        <translation>Neue Sammlung …</translation>
    </message>
    <message>
        <location filename="../../app/views/collections_sidebar.py" line="50"/>
        <source>Collection of the selected products…</source>
        <translation>Sammlung aus den ausgewählten Produkten …</translation>
    </message>
    <message>
        <location filename="../../app/views/collections_sidebar.py" line="51"/>
        <source>Smart collection of this filter…</source>
        <translation>Smarte Sammlung aus diesem Filter …</translation>
    </message>
    <message>
        <location filename="../../app/views/collections_sidebar.py" line="75"/>
        <source>All products ({0})</source>
        <translation>Alle Produkte ({0})</translation>
    </message>
    <message>
        <location filename="../../app/views/collections_sidebar.py" line="78"/>
        <source>Collections</source>
        <translation>Sammlungen</translation>
    </message>
    <message>
        <location filename="../../app/views/collections_sidebar.py" line="78"/>
        <source>Smart collections</source>
        <translation>Smarte Sammlungen</translation>
    </message>
    <message>
        <location filename="../../app/views/collections_sidebar.py" line="86"/>
        <source>Saved search: {0}</source>
        <translation>Gespeicherte Suche: {0}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/collections_sidebar.py" line="123"/>
        <source>Added %n product(s) to {0}</source>
        <translation>
            <numerusform>%n Produkt zu {0} hinzugefügt</numerusform>
            <numerusform>%n Produkte zu {0} hinzugefügt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/collections_sidebar.py" line="131"/>
        <source>Took %n product(s) out of {0}</source>
        <translation>
            <numerusform>%n Produkt aus {0} herausgenommen</numerusform>
            <numerusform>%n Produkte aus {0} herausgenommen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/collections_sidebar.py" line="138"/>
        <source>Saved the smart collection {0}</source>
        <translation>Smarte Sammlung {0} gespeichert</translation>
    </message>
    <message>
        <location filename="../../app/views/collections_sidebar.py" line="148"/>
        <source>Renamed {0} to {1}</source>
        <translation>{0} in {1} umbenannt</translation>
    </message>
    <message>
        <location filename="../../app/views/collections_sidebar.py" line="153"/>
        <source>Deleted the collection {0}</source>
        <translation>Sammlung {0} gelöscht</translation>
    </message>
    <message>
        <location filename="../../app/views/collections_sidebar.py" line="158"/>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <location filename="../../app/views/collections_sidebar.py" line="165"/>
        <source>New collection</source>
        <translation>Neue Sammlung</translation>
    </message>
    <message>
        <location filename="../../app/views/collections_sidebar.py" line="171"/>
        <source>New smart collection</source>
        <translation>Neue smarte Sammlung</translation>
    </message>
    <message>
        <location filename="../../app/views/collections_sidebar.py" line="184"/>
        <source>Add the selected products</source>
        <translation>Ausgewählte Produkte hinzufügen</translation>
    </message>
    <message>
        <location filename="../../app/views/collections_sidebar.py" line="185"/>
        <source>Remove the selected products</source>
        <translation>Ausgewählte Produkte entfernen</translation>
    </message>
    <message>
        <location filename="../../app/views/collections_sidebar.py" line="186"/>
        <source>Rename…</source>
        <translation>Umbenennen …</translation>
    </message>
    <message>
        <location filename="../../app/views/collections_sidebar.py" line="186"/>
        <source>Rename</source>
        <translation>Umbenennen</translation>
    </message>
    <message>
        <location filename="../../app/views/collections_sidebar.py" line="187"/>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
</context>
<context>
    <name>ConflictsView</name>
    <message>
        <location filename="../../app/views/conflicts_view.py" line="29"/>
        <source>Conflicts</source>
        <translation>Konflikte</translation>
    </message>
    <message>
        <location filename="../../app/views/conflicts_view.py" line="30"/>
        <source>The same field was edited on two machines: the later edit (by the time the server received it) won. Restore puts the other value back.</source>
        <translation>Dasselbe Feld wurde auf zwei Rechnern bearbeitet: Die spätere Änderung (nach Eingang beim Server) hat gewonnen. „Wiederherstellen“ setzt den anderen Wert zurück.</translation>
    </message>
    <message>
        <location filename="../../app/views/conflicts_view.py" line="34"/>
        <source>SKU</source>
        <translation>Artikelnummer</translation>
    </message>
    <message>
        <location filename="../../app/views/conflicts_view.py" line="34"/>
        <source>Field</source>
        <translation>Feld</translation>
    </message>
    <message>
        <location filename="../../app/views/conflicts_view.py" line="34"/>
        <source>Overwritten</source>
        <translation>Überschrieben</translation>
    </message>
    <message>
        <location filename="../../app/views/conflicts_view.py" line="34"/>
        <source>Kept</source>
        <translation>Behalten</translation>
    </message>
    <message>
        <location filename="../../app/views/conflicts_view.py" line="35"/>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <location filename="../../app/views/conflicts_view.py" line="38"/>
        <source>Restore the overwritten value</source>
        <translation>Den überschriebenen Wert wiederherstellen</translation>
    </message>
    <message>
        <location filename="../../app/views/conflicts_view.py" line="39"/>
        <source>Keep the later edit</source>
        <translation>Die spätere Änderung behalten</translation>
    </message>
    <message>
        <location filename="../../app/views/conflicts_view.py" line="40"/>
        <source>Show resolved</source>
        <translation>Gelöste anzeigen</translation>
    </message>
    <message>
        <location filename="../../app/views/conflicts_view.py" line="44"/>
        <source>No conflicts.</source>
        <translation>Keine Konflikte.</translation>
    </message>
    <message>
        <location filename="../../app/views/conflicts_view.py" line="80"/>
        <source> · resolved</source>
        <translation> · gelöst</translation>
    </message>
</context>
<context>
    <name>DuplicatesView</name>
    <message numerus="yes">
        <location filename="../../app/views/duplicates_view.py" line="51"/>
        <source>%n exact copies</source>
        <translation>
            <numerusform>%n exakte Kopie</numerusform>
            <numerusform>%n exakte Kopien</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/duplicates_view.py" line="52"/>
        <source>%n near duplicates</source>
        <translation>
            <numerusform>%n Beinahe-Duplikat</numerusform>
            <numerusform>%n Beinahe-Duplikate</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/duplicates_view.py" line="53"/>
        <source>%n design suggestions</source>
        <translation>
            <numerusform>%n Design-Vorschlag</numerusform>
            <numerusform>%n Design-Vorschläge</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="398"/>
        <location filename="../../app/views/duplicates_view.py" line="505"/>
        <source>Looking for duplicates…</source>
        <translation>Suche nach Duplikaten …</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="455"/>
        <source>No duplicates</source>
        <translation>Keine Duplikate</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="503"/>
        <source>Duplicates are found among indexed products: index the catalog first.</source>
        <translation>Duplikate werden unter indexierten Produkten gefunden: zuerst den Katalog indexieren.</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="507"/>
        <source>No duplicates: no two products share a photo, the same shot or the same design in another colour.</source>
        <translation>Keine Duplikate: Keine zwei Produkte teilen ein Foto, dieselbe Aufnahme oder dasselbe Design in einer anderen Farbe.</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="513"/>
        <source>Could not look for duplicates</source>
        <translation>Suche nach Duplikaten fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="514"/>
        <source>Could not look for duplicates: {0}</source>
        <translation>Suche nach Duplikaten fehlgeschlagen: {0}</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="545"/>
        <source>&amp;Not one design</source>
        <translation>&amp;Kein gemeinsames Design</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="545"/>
        <source>&amp;Not duplicates</source>
        <translation>&amp;Keine Duplikate</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="613"/>
        <source>This window is read-only: act on duplicates in the window that opened the catalog first.</source>
        <translation>Dieses Fenster ist schreibgeschützt: Duplikate im Fenster bearbeiten, das den Katalog zuerst geöffnet hat.</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="624"/>
        <source>Kept {0}, trashed {1}</source>
        <translation>{0} behalten, {1} in den Papierkorb verschoben</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="625"/>
        <source>Merged {0} into {1}</source>
        <translation>{0} mit {1} zusammengeführt</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="626"/>
        <source>Marked as not duplicates</source>
        <translation>Als keine Duplikate markiert</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="627"/>
        <source>Marked as not one design</source>
        <translation>Als kein gemeinsames Design markiert</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="628"/>
        <source>Made {0} products one design</source>
        <translation>{0} Produkte zu einem Design zusammengefasst</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="629"/>
        <source>{0} — Ctrl+Z undoes</source>
        <translation>{0} – Strg+Z macht es rückgängig</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="682"/>
        <source>Duplicates</source>
        <translation>Duplikate</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="683"/>
        <source>{0} failed: {1}</source>
        <translation>{0} fehlgeschlagen: {1}</translation>
    </message>
</context>
<context>
    <name>EditableField</name>
    <message>
        <location filename="../../app/views/field_editor.py" line="33"/>
        <source>Click to edit; Enter saves, Esc cancels</source>
        <translation>Klicken zum Bearbeiten; Eingabe speichert, Esc bricht ab</translation>
    </message>
</context>
<context>
    <name>EmptyState</name>
    <message>
        <location filename="../../app/views/empty_state.py" line="18"/>
        <source>Drop product folders here…</source>
        <translation>Produktordner hier ablegen …</translation>
    </message>
    <message>
        <location filename="../../app/views/empty_state.py" line="22"/>
        <source>One folder per product, with its photos and an optional product.json (sku, title, category, price, attributes) — or a folder of such folders, or a CSV manifest.
Catalog Curator imports them, finds each product in its photos and makes them searchable.</source>
        <translation>Ein Ordner pro Produkt, mit seinen Fotos und optional einer product.json (sku, title, category, price, attributes) – oder ein Ordner solcher Ordner oder ein CSV-Manifest.
Catalog Curator importiert sie, findet jedes Produkt in seinen Fotos und macht sie durchsuchbar.</translation>
    </message>
    <message>
        <location filename="../../app/views/empty_state.py" line="29"/>
        <source>Add product folder…  (Ctrl+O)</source>
        <translation>Produktordner hinzufügen …  (Strg+O)</translation>
    </message>
</context>
<context>
    <name>ErrorDialog</name>
    <message>
        <location filename="../../app/views/error_dialog.py" line="24"/>
        <source>Something went wrong</source>
        <translation>Etwas ist schiefgegangen</translation>
    </message>
    <message>
        <location filename="../../app/views/error_dialog.py" line="34"/>
        <source>Your data is safe: the catalog saves each product as it goes. The details are in the log.</source>
        <translation>Ihre Daten sind sicher: Der Katalog speichert jedes Produkt sofort. Die Einzelheiten stehen im Protokoll.</translation>
    </message>
    <message>
        <location filename="../../app/views/error_dialog.py" line="44"/>
        <location filename="../../app/views/error_dialog.py" line="60"/>
        <source>Show details</source>
        <translation>Details zeigen</translation>
    </message>
    <message>
        <location filename="../../app/views/error_dialog.py" line="47"/>
        <source>Copy report</source>
        <translation>Bericht kopieren</translation>
    </message>
    <message>
        <location filename="../../app/views/error_dialog.py" line="49"/>
        <source>Open log folder</source>
        <translation>Protokollordner öffnen</translation>
    </message>
    <message>
        <location filename="../../app/views/error_dialog.py" line="60"/>
        <source>Hide details</source>
        <translation>Details ausblenden</translation>
    </message>
</context>
<context>
    <name>ExplanationPanel</name>
    <message>
        <location filename="../../app/views/explanation.py" line="25"/>
        <location filename="../../app/views/explanation.py" line="67"/>
        <source>&lt;i&gt;Select a result to see why it matched&lt;/i&gt;</source>
        <translation>&lt;i&gt;Ein Ergebnis auswählen, um zu sehen, warum es passt&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../../app/views/explanation.py" line="31"/>
        <source>Match score</source>
        <translation>Trefferwert</translation>
    </message>
    <message>
        <location filename="../../app/views/explanation.py" line="36"/>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../app/views/explanation.py" line="45"/>
        <source>Text query: no query image</source>
        <translation>Textsuche: kein Suchbild</translation>
    </message>
    <message>
        <location filename="../../app/views/explanation.py" line="46"/>
        <source>No matched crop</source>
        <translation>Kein passender Ausschnitt</translation>
    </message>
    <message>
        <location filename="../../app/views/explanation.py" line="48"/>
        <source>Query</source>
        <translation>Suchanfrage</translation>
    </message>
    <message>
        <location filename="../../app/views/explanation.py" line="48"/>
        <source>Matched crop</source>
        <translation>Passender Ausschnitt</translation>
    </message>
    <message>
        <location filename="../../app/views/explanation.py" line="81"/>
        <source>Match {0}</source>
        <translation>Treffer {0}</translation>
    </message>
    <message>
        <location filename="../../app/views/explanation.py" line="84"/>
        <source>&lt;i&gt;No reason measured&lt;/i&gt;</source>
        <translation>&lt;i&gt;Kein Grund gemessen&lt;/i&gt;</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../../app/views/export_dialog.py" line="29"/>
        <source>COCO JSON — boxes and labels for training</source>
        <translation>COCO JSON – Rahmen und Labels fürs Training</translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="30"/>
        <source>a folder: annotations.json and images/</source>
        <translation>einen Ordner: annotations.json und images/</translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="31"/>
        <source>YOLO txt — boxes for training</source>
        <translation>YOLO txt – Rahmen fürs Training</translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="32"/>
        <source>a folder: images/, labels/ and data.yaml</source>
        <translation>einen Ordner: images/, labels/ und data.yaml</translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="33"/>
        <source>CSV — one row per product</source>
        <translation>CSV – eine Zeile pro Produkt</translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="34"/>
        <source>a .csv file</source>
        <translation>eine .csv-Datei</translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="35"/>
        <source>JSON Lines — everything about each product</source>
        <translation>JSON Lines – alles über jedes Produkt</translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="36"/>
        <source>a .jsonl file</source>
        <translation>eine .jsonl-Datei</translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="59"/>
        <location filename="../../app/views/export_dialog.py" line="88"/>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="68"/>
        <source>Choose…</source>
        <translation>Auswählen …</translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="75"/>
        <source>Only products a curator corrected</source>
        <translation>Nur von Kuratoren korrigierte Produkte</translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="76"/>
        <source>Boxes a person checked make the best training data</source>
        <translation>Von Menschen geprüfte Rahmen sind die besten Trainingsdaten</translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="78"/>
        <source>Format:</source>
        <translation>Format:</translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="79"/>
        <source>Save to:</source>
        <translation>Speichern unter:</translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="106"/>
        <source>Writes %1</source>
        <translation>Schreibt %1</translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="128"/>
        <source>Choose where to save the export.</source>
        <translation>Wählen Sie, wo der Export gespeichert wird.</translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="141"/>
        <source>Exporting…</source>
        <translation>Wird exportiert …</translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="158"/>
        <source>Wrote %1 photos with %2 boxes in %3 classes: %4</source>
        <translation>%1 Fotos mit %2 Rahmen in %3 Klassen geschrieben: %4</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/export_dialog.py" line="162"/>
        <source>Wrote %n products: %1</source>
        <translation>
            <numerusform>%n Produkt geschrieben: %1</numerusform>
            <numerusform>%n Produkte geschrieben: %1</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="167"/>
        <source>Export failed: %1</source>
        <translation>Export fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../../app/views/export_dialog.py" line="174"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>FilterCompleter</name>
    <message numerus="yes">
        <location filename="../../app/views/filter_completer.py" line="69"/>
        <source>%n values</source>
        <translation>
            <numerusform>%n Wert</numerusform>
            <numerusform>%n Werte</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HealthView</name>
    <message>
        <location filename="../../app/views/health_view.py" line="176"/>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="178"/>
        <source>Jobs</source>
        <translation>Aufgaben</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="178"/>
        <source>Throughput</source>
        <translation>Durchsatz</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="178"/>
        <source>Error rate</source>
        <translation>Fehlerquote</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="179"/>
        <source>Seconds per product</source>
        <translation>Sekunden pro Produkt</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="179"/>
        <source>Search latency</source>
        <translation>Antwortzeit der Suche</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="180"/>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="180"/>
        <source>GPU memory</source>
        <translation>GPU-Speicher</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="180"/>
        <source>Products</source>
        <translation>Produkte</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="190"/>
        <source>Prometheus endpoint</source>
        <translation>Prometheus-Endpunkt</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="198"/>
        <source>Drift alarms</source>
        <translation>Drift-Alarme</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="200"/>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="200"/>
        <location filename="../../app/views/health_view.py" line="214"/>
        <source>Model version</source>
        <translation>Modellversion</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="200"/>
        <source>p-value</source>
        <translation>p-Wert</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="200"/>
        <source>Batch</source>
        <translation>Stapel</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="201"/>
        <location filename="../../app/views/health_view.py" line="214"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="203"/>
        <source>Acknowledge</source>
        <translation>Bestätigen</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="204"/>
        <source>Mark the selected alarm (or all open ones when none is selected) as seen</source>
        <translation>Den gewählten Alarm (oder alle offenen, wenn keiner gewählt ist) als gesehen markieren</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="212"/>
        <source>Model versions</source>
        <translation>Modellversionen</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="214"/>
        <source>Embedder</source>
        <translation>Einbettungsmodell</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="215"/>
        <source>Vectors</source>
        <translation>Vektoren</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="215"/>
        <source>Searches</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="217"/>
        <source>Promote</source>
        <translation>Übernehmen</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="218"/>
        <source>Make the selected version the one searches use</source>
        <translation>Die gewählte Version für die Suche verwenden</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="220"/>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="221"/>
        <source>Delete the selected version&apos;s index (never the active one)</source>
        <translation>Den Index der gewählten Version löschen (nie den aktiven)</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="233"/>
        <source>Label heads (trained from curators&apos; labels)</source>
        <translation>Label-Köpfe (aus den Labels der Kuratoren trainiert)</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="235"/>
        <source>Vocabulary</source>
        <translation>Vokabular</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="235"/>
        <source>Examples</source>
        <translation>Beispiele</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="235"/>
        <source>Head</source>
        <translation>Kopf</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="235"/>
        <source>Without it</source>
        <translation>Ohne ihn</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="236"/>
        <source>Used</source>
        <translation>Verwendet</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="266"/>
        <source>no GPU</source>
        <translation>keine GPU</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="267"/>
        <source>%1 of %2 indexed</source>
        <translation>%1 von %2 indexiert</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="272"/>
        <source>Updated %1 · read in %2 ms</source>
        <translation>Aktualisiert %1 · gelesen in %2 ms</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="280"/>
        <source>seen</source>
        <translation>gesehen</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="280"/>
        <source>OPEN</source>
        <translation>OFFEN</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="289"/>
        <source>No drift detected</source>
        <translation>Keine Drift erkannt</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="300"/>
        <source>active</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="317"/>
        <source>used</source>
        <translation>verwendet</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="317"/>
        <source>not used</source>
        <translation>nicht verwendet</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="321"/>
        <source>Not enough curator labels yet</source>
        <translation>Noch nicht genug Labels von Kuratoren</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="350"/>
        <source>Set a port in Settings to serve metrics</source>
        <translation>In den Einstellungen einen Port angeben, um Messwerte bereitzustellen</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/health_view.py" line="356"/>
        <source>%n drift alarms acknowledged</source>
        <translation>
            <numerusform>%n Drift-Alarm bestätigt</numerusform>
            <numerusform>%n Drift-Alarme bestätigt</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="393"/>
        <source>The model version could not be changed: %1</source>
        <translation>Die Modellversion konnte nicht geändert werden: %1</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="397"/>
        <source>%1 deleted</source>
        <translation>%1 gelöscht</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="403"/>
        <source>Delete model version</source>
        <translation>Modellversion löschen</translation>
    </message>
    <message>
        <location filename="../../app/views/health_view.py" line="404"/>
        <source>Delete the index of %1? Its vectors are removed; the embedding cache keeps the crops.</source>
        <translation>Den Index von %1 löschen? Seine Vektoren werden entfernt; der Einbettungs-Cache behält die Ausschnitte.</translation>
    </message>
</context>
<context>
    <name>ImageBoxes</name>
    <message>
        <location filename="../../app/views/image_boxes.py" line="34"/>
        <source>No image</source>
        <translation>Kein Bild</translation>
    </message>
    <message>
        <location filename="../../app/views/image_boxes.py" line="111"/>
        <source>Loading…</source>
        <translation>Wird geladen …</translation>
    </message>
</context>
<context>
    <name>JobRow</name>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="59"/>
        <source>Progress of %1</source>
        <translation>Fortschritt von %1</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="60"/>
        <source>Waiting for the models…</source>
        <translation>Warte auf die Modelle …</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="61"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="62"/>
        <source>Cancel %1</source>
        <translation>%1 abbrechen</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="65"/>
        <source>Errors and warnings</source>
        <translation>Fehler und Warnungen</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="81"/>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen …</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="82"/>
        <source>Cancelling… (stops after the current batch; nothing is saved)</source>
        <translation>Wird abgebrochen … (endet nach dem laufenden Stapel; nichts wird gespeichert)</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="84"/>
        <source>Cancelling… (what is already indexed is kept)</source>
        <translation>Wird abgebrochen … (bereits Indexiertes bleibt erhalten)</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="98"/>
        <source>%1 images/s</source>
        <translation>%1 Bilder/s</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="99"/>
        <source>Importing</source>
        <translation>Import</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="99"/>
        <source>Indexing</source>
        <translation>Indexierung</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="109"/>
        <source>%1 of %2 products went in</source>
        <translation>%1 von %2 Produkten übernommen</translation>
    </message>
</context>
<context>
    <name>JobStrip</name>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="261"/>
        <source>Background jobs</source>
        <translation>Hintergrundaufgaben</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="270"/>
        <source>Job progress</source>
        <translation>Fortschritt der Aufgabe</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="275"/>
        <source>Cancel this job (what is done is kept)</source>
        <translation>Diese Aufgabe abbrechen (Erledigtes bleibt erhalten)</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="276"/>
        <source>Cancel the job</source>
        <translation>Aufgabe abbrechen</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="280"/>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="282"/>
        <source>Show every job with its errors (Ctrl+J)</source>
        <translation>Alle Aufgaben mit ihren Fehlern zeigen (Strg+J)</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="334"/>
        <source>%n jobs</source>
        <translation>
            <numerusform>%n Aufgabe</numerusform>
            <numerusform>%n Aufgaben</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="346"/>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen …</translation>
    </message>
</context>
<context>
    <name>JobsPanel</name>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="213"/>
        <source>No jobs yet. Drop product folders on the window to import and index them.</source>
        <translation>Noch keine Aufgaben. Produktordner auf das Fenster ziehen, um sie zu importieren und zu indexieren.</translation>
    </message>
</context>
<context>
    <name>Loupe</name>
    <message>
        <location filename="../../app/views/loupe.py" line="37"/>
        <source>Loupe</source>
        <translation>Lupe</translation>
    </message>
    <message>
        <location filename="../../app/views/loupe.py" line="46"/>
        <source>Grid</source>
        <translation>Raster</translation>
    </message>
    <message>
        <location filename="../../app/views/loupe.py" line="47"/>
        <source>Back to the grid (G)</source>
        <translation>Zurück zum Raster (G)</translation>
    </message>
    <message>
        <location filename="../../app/views/loupe.py" line="48"/>
        <source>Back to the grid</source>
        <translation>Zurück zum Raster</translation>
    </message>
    <message>
        <location filename="../../app/views/loupe.py" line="52"/>
        <source>No image</source>
        <translation>Kein Bild</translation>
    </message>
    <message>
        <location filename="../../app/views/loupe.py" line="53"/>
        <source>Photo</source>
        <translation>Foto</translation>
    </message>
    <message>
        <location filename="../../app/views/loupe.py" line="57"/>
        <source>Views of this product</source>
        <translation>Ansichten dieses Produkts</translation>
    </message>
    <message>
        <location filename="../../app/views/loupe.py" line="64"/>
        <source>← → views · J K products · G or Esc: grid</source>
        <translation>← → Ansichten · J K Produkte · G oder Esc: Raster</translation>
    </message>
    <message>
        <location filename="../../app/views/loupe.py" line="93"/>
        <source>No product selected</source>
        <translation>Kein Produkt ausgewählt</translation>
    </message>
    <message>
        <location filename="../../app/views/loupe.py" line="109"/>
        <source>This product has no photo</source>
        <translation>Dieses Produkt hat kein Foto</translation>
    </message>
    <message>
        <location filename="../../app/views/loupe.py" line="131"/>
        <source>Unreadable image: %1</source>
        <translation>Unlesbares Bild: %1</translation>
    </message>
    <message>
        <location filename="../../app/views/loupe.py" line="136"/>
        <source>View %1 of %2 · %3 × %4 px</source>
        <translation>Ansicht %1 von %2 · %3 × %4 px</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/views/main_window.py" line="67"/>
        <source>Catalog Curator %1 — %2</source>
        <translation>Catalog Curator %1 – %2</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="69"/>
        <source> (read-only)</source>
        <translation> (schreibgeschützt)</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="119"/>
        <source>Pages</source>
        <translation>Seiten</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="120"/>
        <source>Catalog</source>
        <translation>Katalog</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="121"/>
        <location filename="../../app/views/main_window.py" line="210"/>
        <source>Search</source>
        <translation>Suche</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="122"/>
        <source>Analytics</source>
        <translation>Auswertung</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="124"/>
        <source>Review</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="127"/>
        <location filename="../../app/views/main_window.py" line="301"/>
        <source>Health</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="129"/>
        <source>Duplicates</source>
        <translation>Duplikate</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="131"/>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="146"/>
        <location filename="../../app/views/main_window.py" line="249"/>
        <source>Sync</source>
        <translation>Synchronisierung</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="152"/>
        <location filename="../../app/views/main_window.py" line="240"/>
        <source>Jobs</source>
        <translation>Aufgaben</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="164"/>
        <source>Free space on the disk that holds the catalog</source>
        <translation>Freier Speicher auf dem Laufwerk des Katalogs</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="170"/>
        <source>Read-only: changes are off</source>
        <translation>Schreibgeschützt: Änderungen sind aus</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="204"/>
        <source>Undo %1 (Ctrl+Z)</source>
        <translation>%1 rückgängig machen (Strg+Z)</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="205"/>
        <source>Nothing to undo</source>
        <translation>Nichts rückgängig zu machen</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="208"/>
        <source>Add folder…</source>
        <translation>Ordner hinzufügen …</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="209"/>
        <source>Import and index product folders</source>
        <translation>Produktordner importieren und indexieren</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="212"/>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="213"/>
        <source>Delete the selected products (undo with Ctrl+Z)</source>
        <translation>Ausgewählte Produkte löschen (rückgängig mit Strg+Z)</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="214"/>
        <location filename="../../app/views/main_window.py" line="223"/>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="218"/>
        <source>Redo</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="230"/>
        <source>Settings…</source>
        <translation>Einstellungen …</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="232"/>
        <source>Export…</source>
        <translation>Exportieren …</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="233"/>
        <source>Export the catalog, or its boxes for training (COCO, YOLO)</source>
        <translation>Den Katalog exportieren oder seine Rahmen fürs Training (COCO, YOLO)</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="235"/>
        <source>Import from shop…</source>
        <translation>Aus Shop importieren …</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="236"/>
        <source>Import a Shopify or Magento product export</source>
        <translation>Einen Produktexport aus Shopify oder Magento importieren</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="237"/>
        <source>Export to shop…</source>
        <translation>In Shop exportieren …</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="238"/>
        <source>Write the imported shop file back with the catalog&apos;s changes</source>
        <translation>Die importierte Shop-Datei mit den Änderungen des Katalogs zurückschreiben</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="242"/>
        <source>Every job with its errors (Ctrl+J)</source>
        <translation>Alle Aufgaben mit ihren Fehlern (Strg+J)</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="245"/>
        <source>About</source>
        <translation>Über</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="246"/>
        <source>Sync now</source>
        <translation>Jetzt synchronisieren</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="247"/>
        <source>Send corrections and fetch other curators&apos;</source>
        <translation>Korrekturen senden und die anderer Kuratoren abholen</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="250"/>
        <source>Loupe</source>
        <translation>Lupe</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="251"/>
        <source>The photo large, with its boxes and every view</source>
        <translation>Das Foto groß, mit seinen Rahmen und allen Ansichten</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="252"/>
        <source>Grid</source>
        <translation>Raster</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="252"/>
        <source>Back to the grid</source>
        <translation>Zurück zum Raster</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="253"/>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="256"/>
        <source>Main</source>
        <translation>Haupt</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="272"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="273"/>
        <source>Open catalog…</source>
        <translation>Katalog öffnen …</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="274"/>
        <source>Open another catalog folder in this window</source>
        <translation>Einen anderen Katalogordner in diesem Fenster öffnen</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="276"/>
        <source>Recent catalogs</source>
        <translation>Zuletzt geöffnete Kataloge</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="283"/>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="284"/>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="287"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="293"/>
        <source>Conflicts…</source>
        <translation>Konflikte …</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="294"/>
        <source>Fields two curators edited on two machines</source>
        <translation>Felder, die zwei Kuratoren auf zwei Rechnern bearbeitet haben</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="296"/>
        <source>Edit fields…</source>
        <translation>Felder bearbeiten …</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="297"/>
        <source>Change attributes, category, titles of the selected products, with a preview</source>
        <translation>Attribute, Kategorie und Titel der ausgewählten Produkte ändern, mit Vorschau</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="299"/>
        <source>Review queue</source>
        <translation>Prüfliste</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="303"/>
        <source>Next product</source>
        <translation>Nächstes Produkt</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="304"/>
        <source>Previous product</source>
        <translation>Vorheriges Produkt</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="305"/>
        <source>Loupe or grid</source>
        <translation>Lupe oder Raster</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="306"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="434"/>
        <source>{0} — Ctrl+Z undoes</source>
        <translation>{0} – Strg+Z macht es rückgängig</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="557"/>
        <source>Add product folders</source>
        <translation>Produktordner hinzufügen</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="572"/>
        <source>Free: %s</source>
        <translation>Frei: %s</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="618"/>
        <source>Models failed to load; browsing still works. See the status bar.</source>
        <translation>Die Modelle konnten nicht geladen werden; Blättern funktioniert weiter. Siehe Statusleiste.</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="624"/>
        <source>Downloading model weights…</source>
        <translation>Modellgewichte werden heruntergeladen …</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="624"/>
        <source>Hide</source>
        <translation>Ausblenden</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="625"/>
        <source>First run: downloading models</source>
        <translation>Erster Start: Modelle werden heruntergeladen</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="673"/>
        <source>Settings saved. The new model is not in use yet: re-index with it on the Models page, then promote it</source>
        <translation>Einstellungen gespeichert. Das neue Modell ist noch nicht in Gebrauch: auf der Seite „Modelle“ damit neu indexieren und es dann übernehmen</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="676"/>
        <source>Settings saved</source>
        <translation>Einstellungen gespeichert</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="717"/>
        <source>Open a catalog folder</source>
        <translation>Einen Katalogordner öffnen</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="738"/>
        <source>No other catalogs yet</source>
        <translation>Noch keine anderen Kataloge</translation>
    </message>
    <message>
        <location filename="../../app/views/main_window.py" line="751"/>
        <source>%1 opens the next time Catalog Curator starts</source>
        <translation>%1 wird beim nächsten Start von Catalog Curator geöffnet</translation>
    </message>
</context>
<context>
    <name>MemberCard</name>
    <message numerus="yes">
        <location filename="../../app/views/duplicates_view.py" line="217"/>
        <source>%n photo(s)</source>
        <translation>
            <numerusform>%n Foto</numerusform>
            <numerusform>%n Fotos</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="224"/>
        <source>No photo</source>
        <translation>Kein Foto</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="233"/>
        <source>Variant</source>
        <translation>Variante</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="235"/>
        <source>✔ Keep</source>
        <translation>✔ Behalten</translation>
    </message>
    <message>
        <location filename="../../app/views/duplicates_view.py" line="235"/>
        <source>Goes</source>
        <translation>Entfällt</translation>
    </message>
</context>
<context>
    <name>ModelRow</name>
    <message>
        <location filename="../../app/views/models_view.py" line="152"/>
        <source>Details</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>ModelStatus</name>
    <message>
        <location filename="../../app/views/model_status.py" line="17"/>
        <source>Trust these detector weights?</source>
        <translation>Diesen Detektorgewichten vertrauen?</translation>
    </message>
    <message>
        <location filename="../../app/views/model_status.py" line="18"/>
        <source>Loading %1 runs code stored inside it (it is a pickled PyTorch file). Trust it on this computer only if you know where it came from.</source>
        <translation>Beim Laden von %1 wird darin gespeicherter Code ausgeführt (eine gepickelte PyTorch-Datei). Vertrauen Sie ihr auf diesem Computer nur, wenn Sie wissen, woher sie stammt.</translation>
    </message>
    <message>
        <location filename="../../app/views/model_status.py" line="27"/>
        <source>Loading models…</source>
        <translation>Modelle werden geladen …</translation>
    </message>
    <message>
        <location filename="../../app/views/model_status.py" line="28"/>
        <source>The window works while the models load in the background.</source>
        <translation>Das Fenster ist bedienbar, während die Modelle im Hintergrund laden.</translation>
    </message>
    <message>
        <location filename="../../app/views/model_status.py" line="36"/>
        <source>detector weights not trusted (choose them in Settings → Models to trust them)</source>
        <translation>Detektorgewichten wird nicht vertraut (unter Einstellungen → Modelle wählen, um ihnen zu vertrauen)</translation>
    </message>
    <message>
        <location filename="../../app/views/model_status.py" line="40"/>
        <source>unknown error</source>
        <translation>unbekannter Fehler</translation>
    </message>
    <message>
        <location filename="../../app/views/model_status.py" line="41"/>
        <source>Models failed to load</source>
        <translation>Modelle konnten nicht geladen werden</translation>
    </message>
    <message>
        <location filename="../../app/views/model_status.py" line="41"/>
        <source>Search unavailable</source>
        <translation>Suche nicht verfügbar</translation>
    </message>
    <message>
        <location filename="../../app/views/model_status.py" line="44"/>
        <source>Text search: words + meaning</source>
        <translation>Textsuche: Wörter + Bedeutung</translation>
    </message>
    <message>
        <location filename="../../app/views/model_status.py" line="45"/>
        <source>Text search: words</source>
        <translation>Textsuche: Wörter</translation>
    </message>
    <message>
        <location filename="../../app/views/model_status.py" line="46"/>
        <source>Embedder: %1 %2 (%3) on %4</source>
        <translation>Einbettungsmodell: %1 %2 (%3) auf %4</translation>
    </message>
    <message>
        <location filename="../../app/views/model_status.py" line="51"/>
        <source>Detector: %1</source>
        <translation>Detektor: %1</translation>
    </message>
    <message>
        <location filename="../../app/views/model_status.py" line="53"/>
        <source>No detector: crops come from the plain-background fallback</source>
        <translation>Kein Detektor: Ausschnitte kommen aus der Freisteller-Rückfallebene</translation>
    </message>
    <message>
        <location filename="../../app/views/model_status.py" line="56"/>
        <source>Text search matches words (SKU, title, category, attributes); searching by meaning needs a CLIP model: %1</source>
        <translation>Die Textsuche findet Wörter (Artikelnummer, Titel, Kategorie, Attribute); die Suche nach Bedeutung braucht ein CLIP-Modell: %1</translation>
    </message>
    <message>
        <location filename="../../app/views/model_status.py" line="58"/>
        <source>no CLIP weights</source>
        <translation>keine CLIP-Gewichte</translation>
    </message>
</context>
<context>
    <name>ModelsView</name>
    <message>
        <location filename="../../app/views/models_view.py" line="364"/>
        <source>Search by photos works. Search by words needs the CLIP model, which is not on this computer: Download it or Choose file… below.</source>
        <translation>Die Suche nach Fotos funktioniert. Die Suche nach Wörtern braucht das CLIP-Modell, das nicht auf diesem Computer ist: unten herunterladen oder „Datei auswählen …“.</translation>
    </message>
    <message>
        <location filename="../../app/views/models_view.py" line="373"/>
        <source>Products are cut from their plain background instead.</source>
        <translation>Produkte werden stattdessen vor ihrem einfarbigen Hintergrund freigestellt.</translation>
    </message>
    <message>
        <location filename="../../app/views/models_view.py" line="375"/>
        <source>{0} Meanwhile products are cut from their plain background.</source>
        <translation>{0} Bis dahin werden Produkte vor ihrem einfarbigen Hintergrund freigestellt.</translation>
    </message>
</context>
<context>
    <name>NotIndexedBanner</name>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="372"/>
        <source>Index now</source>
        <translation>Jetzt indexieren</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="380"/>
        <source>%n products not indexed — they are not found by search yet.</source>
        <translation>
            <numerusform>%n Produkt nicht indexiert – die Suche findet es noch nicht.</numerusform>
            <numerusform>%n Produkte nicht indexiert – die Suche findet sie noch nicht.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ProductDelegate</name>
    <message>
        <location filename="../../app/views/tiles.py" line="154"/>
        <source>no image</source>
        <translation>kein Bild</translation>
    </message>
</context>
<context>
    <name>ProductDetail</name>
    <message>
        <location filename="../../app/views/product_detail.py" line="52"/>
        <source>Select a product</source>
        <translation>Ein Produkt auswählen</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="53"/>
        <source>No image</source>
        <translation>Kein Bild</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="54"/>
        <source>Product photo</source>
        <translation>Produktfoto</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="55"/>
        <source>Click to search for products similar to this image; E opens the loupe</source>
        <translation>Klicken, um ähnliche Produkte zu suchen; E öffnet die Lupe</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="63"/>
        <source>Views of this product</source>
        <translation>Ansichten dieses Produkts</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="65"/>
        <source>Search similar</source>
        <translation>Ähnliche suchen</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="80"/>
        <source>Add attribute</source>
        <translation>Attribut hinzufügen</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="81"/>
        <source>A new key and value for this product</source>
        <translation>Ein neuer Schlüssel mit Wert für dieses Produkt</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="91"/>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="91"/>
        <source>What</source>
        <translation>Was</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="91"/>
        <location filename="../../app/views/product_detail.py" line="103"/>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="92"/>
        <location filename="../../app/views/product_detail.py" line="105"/>
        <source>History</source>
        <translation>Verlauf</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="93"/>
        <location filename="../../app/views/product_detail.py" line="104"/>
        <source>Labels</source>
        <translation>Labels</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="113"/>
        <location filename="../../app/views/product_detail.py" line="207"/>
        <source>Review</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="116"/>
        <source>Product information</source>
        <translation>Produktinformationen</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="204"/>
        <source>SKU</source>
        <translation>Artikelnummer</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="204"/>
        <source>Title</source>
        <translation>Titel</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="205"/>
        <source>Category</source>
        <translation>Kategorie</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="206"/>
        <source>Price</source>
        <translation>Preis</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="207"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="208"/>
        <source>Folder</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="208"/>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="211"/>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="221"/>
        <source>%1:</source>
        <translation>%1:</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="243"/>
        <source>{label}:</source>
        <translation>{label}:</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="248"/>
        <source>Description:</source>
        <translation>Beschreibung:</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="254"/>
        <source>an attribute needs a name</source>
        <translation>ein Attribut braucht einen Namen</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="260"/>
        <source>Remove the attribute {0}</source>
        <translation>Attribut {0} entfernen</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="274"/>
        <source>name the attribute first</source>
        <translation>zuerst das Attribut benennen</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="302"/>
        <source>Not saved: {0}. Nothing was changed.</source>
        <translation>Nicht gespeichert: {0}. Nichts wurde geändert.</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="320"/>
        <source>No labels yet — they come with indexing.</source>
        <translation>Noch keine Labels – sie entstehen beim Indexieren.</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="335"/>
        <source>Restore</source>
        <translation>Wiederherstellen</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="336"/>
        <source>Put back {0}</source>
        <translation>{0} zurücksetzen</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="340"/>
        <source>Imported</source>
        <translation>Importiert</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="340"/>
        <source>not indexed yet</source>
        <translation>noch nicht indexiert</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="350"/>
        <source>Unreadable image: %1</source>
        <translation>Unlesbares Bild: %1</translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="351"/>
        <source>unknown reason</source>
        <translation>unbekannter Grund</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/product_detail.py" line="358"/>
        <source>%n crops</source>
        <translation>
            <numerusform>%n Ausschnitt</numerusform>
            <numerusform>%n Ausschnitte</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/product_detail.py" line="359"/>
        <source>(%n rejected)</source>
        <translation>
            <numerusform>(%n verworfen)</numerusform>
            <numerusform>(%n verworfen)</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/product_detail.py" line="377"/>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
</context>
<context>
    <name>SearchPanel</name>
    <message>
        <location filename="../../app/views/search_panel.py" line="275"/>
        <source>In this photo:</source>
        <translation>In diesem Foto:</translation>
    </message>
    <message>
        <location filename="../../app/views/search_panel.py" line="276"/>
        <source>Each product found in the photo; click one to search for it</source>
        <translation>Jedes im Foto gefundene Produkt; eines anklicken, um danach zu suchen</translation>
    </message>
    <message>
        <location filename="../../app/views/search_panel.py" line="277"/>
        <source>Products found in the photo</source>
        <translation>Im Foto gefundene Produkte</translation>
    </message>
    <message>
        <location filename="../../app/views/search_panel.py" line="302"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../../app/views/search_panel.py" line="303"/>
        <source>Cancel the search</source>
        <translation>Die Suche abbrechen</translation>
    </message>
    <message>
        <location filename="../../app/views/search_panel.py" line="569"/>
        <source>{message}… (step {step} of {total})</source>
        <translation>{message} … (Schritt {step} von {total})</translation>
    </message>
    <message>
        <location filename="../../app/views/search_panel.py" line="580"/>
        <location filename="../../app/views/search_panel.py" line="581"/>
        <source>Search cancelled</source>
        <translation>Suche abgebrochen</translation>
    </message>
    <message>
        <location filename="../../app/views/search_panel.py" line="615"/>
        <source> — showing results for %1</source>
        <translation> – Ergebnisse für %1</translation>
    </message>
    <message>
        <location filename="../../app/views/search_panel.py" line="619"/>
        <source> — try fewer filters or other words</source>
        <translation> – weniger Filter oder andere Wörter versuchen</translation>
    </message>
    <message>
        <location filename="../../app/views/search_panel.py" line="620"/>
        <source> — no product holds these words; try other words</source>
        <translation> – kein Produkt enthält diese Wörter; andere Wörter versuchen</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="95"/>
        <source>Search words</source>
        <translation>Suchbegriffe</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="96"/>
        <source>Appearance</source>
        <translation>Darstellung</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="117"/>
        <source>Find the product in each photo (product finder)</source>
        <translation>Das Produkt in jedem Foto finden (Produktfinder)</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="125"/>
        <source>Match products with:</source>
        <translation>Produkte abgleichen mit:</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="127"/>
        <source>How sure the finder must be:</source>
        <translation>Wie sicher der Finder sein muss:</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="128"/>
        <source>Run on:</source>
        <translation>Ausführen auf:</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="132"/>
        <source>CLIP model:</source>
        <translation>CLIP-Modell:</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="133"/>
        <source>CLIP weights tag:</source>
        <translation>Tag der CLIP-Gewichte:</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="134"/>
        <source>CLIP weights file:</source>
        <translation>Datei der CLIP-Gewichte:</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="135"/>
        <source>Product finder weights file:</source>
        <translation>Datei der Produktfinder-Gewichte:</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="136"/>
        <source>Photos per batch:</source>
        <translation>Fotos pro Stapel:</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="141"/>
        <source>Details: model files and ids</source>
        <translation>Details: Modelldateien und IDs</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="371"/>
        <source>Theme</source>
        <translation>Design</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="372"/>
        <source>Follow the system</source>
        <translation>Wie das System</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="372"/>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="373"/>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="377"/>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="381"/>
        <source>The theme changes at once; a new language from the next start.</source>
        <translation>Das Design wechselt sofort, eine neue Sprache ab dem nächsten Start.</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="385"/>
        <source>Theme:</source>
        <translation>Design:</translation>
    </message>
    <message>
        <location filename="../../app/views/settings_dialog.py" line="386"/>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
</context>
<context>
    <name>ShopExportDialog</name>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="123"/>
        <source>Export to shop</source>
        <translation>In Shop exportieren</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="133"/>
        <source>Choose…</source>
        <translation>Auswählen …</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="135"/>
        <source>Only changed rows (a delta for the shop&apos;s importer)</source>
        <translation>Nur geänderte Zeilen (ein Delta für den Import des Shops)</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="137"/>
        <source>Not exported</source>
        <translation>Nicht exportiert</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="138"/>
        <source>To tags</source>
        <translation>Als Tags</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="139"/>
        <source>To an attribute…</source>
        <translation>In ein Attribut …</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="142"/>
        <source>attribute name, e.g. style</source>
        <translation>Attributname, z. B. style</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="145"/>
        <source>Shop:</source>
        <translation>Shop:</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="146"/>
        <source>Save to:</source>
        <translation>Speichern unter:</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="147"/>
        <source>Approved labels:</source>
        <translation>Freigegebene Labels:</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="154"/>
        <source>Write</source>
        <translation>Schreiben</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="193"/>
        <source>Write the shop file</source>
        <translation>Die Shop-Datei schreiben</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="194"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="210"/>
        <source>Comparing the catalog with the imported shop file…</source>
        <translation>Katalog wird mit der importierten Shop-Datei verglichen …</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/shop_dialogs.py" line="228"/>
        <source>… and %n more note(s)</source>
        <translation>
            <numerusform>… und %n weiterer Hinweis</numerusform>
            <numerusform>… und %n weitere Hinweise</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="256"/>
        <source>Wrote %1 rows to %2 (%3).</source>
        <translation>%1 Zeilen in %2 geschrieben (%3).</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="258"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>ShopImportDialog</name>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="52"/>
        <source>Import from shop</source>
        <translation>Aus Shop importieren</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="56"/>
        <source>products_export.csv</source>
        <translation>products_export.csv</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="57"/>
        <location filename="../../app/views/shop_dialogs.py" line="65"/>
        <source>Choose…</source>
        <translation>Auswählen …</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="60"/>
        <source>Read from the file&apos;s header</source>
        <translation>Aus der Kopfzeile der Datei gelesen</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="64"/>
        <source>only for relative image paths (Magento&apos;s pub/media/catalog/product)</source>
        <translation>nur für relative Bildpfade (Magentos pub/media/catalog/product)</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="67"/>
        <source>One product per variant SKU; variants of one handle or configurable product form a design. Images given by URL are downloaded in the background; a product whose image cannot be fetched is imported with its data and marked “no image”.</source>
        <translation>Ein Produkt pro Varianten-Artikelnummer; die Varianten eines Handles oder konfigurierbaren Produkts bilden ein Design. Bilder mit URL werden im Hintergrund heruntergeladen; ein Produkt, dessen Bild nicht abrufbar ist, wird mit seinen Daten importiert und als „kein Bild“ markiert.</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="73"/>
        <source>Shop export:</source>
        <translation>Shop-Export:</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="74"/>
        <source>Layout:</source>
        <translation>Aufbau:</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="75"/>
        <source>Images folder:</source>
        <translation>Bilderordner:</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="79"/>
        <source>Import</source>
        <translation>Importieren</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="91"/>
        <source>A Shopify or Magento product export</source>
        <translation>Ein Produktexport aus Shopify oder Magento</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="92"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="98"/>
        <source>The folder image paths start from</source>
        <translation>Der Ordner, von dem die Bildpfade ausgehen</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="106"/>
        <source>Choose the shop&apos;s product export (a .csv file).</source>
        <translation>Wählen Sie den Produktexport des Shops (eine .csv-Datei).</translation>
    </message>
    <message>
        <location filename="../../app/views/shop_dialogs.py" line="110"/>
        <source>The images folder does not exist.</source>
        <translation>Der Bilderordner existiert nicht.</translation>
    </message>
</context>
<context>
    <name>ShortcutSheet</name>
    <message>
        <location filename="../../app/views/shortcut_sheet.py" line="40"/>
        <location filename="../../app/views/shortcut_sheet.py" line="41"/>
        <location filename="../../app/views/shortcut_sheet.py" line="69"/>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <location filename="../../app/views/shortcut_sheet.py" line="43"/>
        <source>Move between products in the grid</source>
        <translation>Im Raster zwischen Produkten wechseln</translation>
    </message>
    <message>
        <location filename="../../app/views/shortcut_sheet.py" line="44"/>
        <source>Double-click, Enter</source>
        <translation>Doppelklick, Eingabe</translation>
    </message>
    <message>
        <location filename="../../app/views/shortcut_sheet.py" line="44"/>
        <source>Open the product in the loupe</source>
        <translation>Das Produkt in der Lupe öffnen</translation>
    </message>
    <message>
        <location filename="../../app/views/shortcut_sheet.py" line="45"/>
        <source>In the loupe: the product&apos;s other views</source>
        <translation>In der Lupe: die anderen Ansichten des Produkts</translation>
    </message>
    <message>
        <location filename="../../app/views/shortcut_sheet.py" line="46"/>
        <source>Leave the loupe, a field or a dialog</source>
        <translation>Lupe, Feld oder Dialog verlassen</translation>
    </message>
    <message>
        <location filename="../../app/views/shortcut_sheet.py" line="47"/>
        <source>Move the focus to the next or previous control</source>
        <translation>Den Fokus zum nächsten oder vorigen Bedienelement bewegen</translation>
    </message>
    <message>
        <location filename="../../app/views/shortcut_sheet.py" line="48"/>
        <source>Review canvas: approve, flag</source>
        <translation>Prüfansicht: freigeben, markieren</translation>
    </message>
    <message>
        <location filename="../../app/views/shortcut_sheet.py" line="49"/>
        <source>Review canvas: make the selected box the product&apos;s</source>
        <translation>Prüfansicht: den gewählten Rahmen zum Produktrahmen machen</translation>
    </message>
    <message>
        <location filename="../../app/views/shortcut_sheet.py" line="50"/>
        <source>Review canvas: add a label (Esc returns to the canvas)</source>
        <translation>Prüfansicht: ein Label hinzufügen (Esc kehrt zur Ansicht zurück)</translation>
    </message>
    <message>
        <location filename="../../app/views/shortcut_sheet.py" line="51"/>
        <source>This sheet</source>
        <translation>Diese Übersicht</translation>
    </message>
    <message>
        <location filename="../../app/views/shortcut_sheet.py" line="55"/>
        <source>Shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <location filename="../../app/views/shortcut_sheet.py" line="56"/>
        <source>Keys</source>
        <translation>Tasten</translation>
    </message>
    <message>
        <location filename="../../app/views/shortcut_sheet.py" line="56"/>
        <source>What they do</source>
        <translation>Wirkung</translation>
    </message>
</context>
<context>
    <name>SyncBadge</name>
    <message>
        <location filename="../../app/views/sync_status.py" line="71"/>
        <source>Sync: …</source>
        <translation>Synchronisierung: …</translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="80"/>
        <source>Click for details</source>
        <translation>Klicken für Details</translation>
    </message>
</context>
<context>
    <name>SyncPanel</name>
    <message>
        <location filename="../../app/views/sync_status.py" line="101"/>
        <location filename="../../app/views/sync_status.py" line="125"/>
        <source>Sync now</source>
        <translation>Jetzt synchronisieren</translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="102"/>
        <source>Send pending corrections and fetch other curators&apos; (Ctrl+Shift+S)</source>
        <translation>Wartende Korrekturen senden und die anderer Kuratoren abholen (Strg+Umschalt+S)</translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="105"/>
        <source>Item</source>
        <translation>Eintrag</translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="105"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="105"/>
        <source>Tries</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="105"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="108"/>
        <source>Waiting to send:</source>
        <translation>Wartet auf Versand:</translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="109"/>
        <source>Sent:</source>
        <translation>Gesendet:</translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="110"/>
        <source>Last sync:</source>
        <translation>Letzte Synchronisierung:</translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="125"/>
        <source>Syncing…</source>
        <translation>Synchronisiere …</translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="135"/>
        <source>Sync is off: corrections wait here until S3 is enabled in Settings → Sync.</source>
        <translation>Synchronisierung ist aus: Korrekturen warten hier, bis S3 unter Einstellungen → Synchronisierung eingeschaltet ist.</translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="138"/>
        <source>Last run: %1</source>
        <translation>Letzter Lauf: %1</translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="140"/>
        <source>Last run: %1 sent, %2 received.</source>
        <translation>Letzter Lauf: %1 gesendet, %2 empfangen.</translation>
    </message>
</context>
<context>
    <name>SynonymsEditor</name>
    <message>
        <location filename="../../app/views/synonyms_editor.py" line="32"/>
        <source>Curator synonyms</source>
        <translation>Synonyme der Kuratoren</translation>
    </message>
    <message>
        <location filename="../../app/views/synonyms_editor.py" line="33"/>
        <source>a word shoppers type, e.g. trousers</source>
        <translation>ein Wort, das Kunden eingeben, z. B. trousers</translation>
    </message>
    <message>
        <location filename="../../app/views/synonyms_editor.py" line="34"/>
        <source>the catalog&apos;s word, e.g. pants</source>
        <translation>das Wort des Katalogs, z. B. pants</translation>
    </message>
    <message>
        <location filename="../../app/views/synonyms_editor.py" line="35"/>
        <source>Add synonym</source>
        <translation>Synonym hinzufügen</translation>
    </message>
    <message>
        <location filename="../../app/views/synonyms_editor.py" line="36"/>
        <source>Remove selected</source>
        <translation>Auswahl entfernen</translation>
    </message>
    <message>
        <location filename="../../app/views/synonyms_editor.py" line="37"/>
        <source>Changes apply at once and sync to the other curators&apos; catalogs. Removing a built-in pair (e.g. trousers and pants) stops it too.</source>
        <translation>Änderungen gelten sofort und werden mit den Katalogen der anderen Kuratoren synchronisiert. Das Entfernen eines eingebauten Paars (z. B. trousers und pants) schaltet auch dieses ab.</translation>
    </message>
    <message>
        <location filename="../../app/views/synonyms_editor.py" line="85"/>
        <source>%1 (removed)</source>
        <translation>%1 (entfernt)</translation>
    </message>
    <message>
        <location filename="../../app/views/synonyms_editor.py" line="94"/>
        <source>Type both words: what shoppers say and what the catalog says.</source>
        <translation>Beide Wörter eingeben: was Kunden sagen und was der Katalog sagt.</translation>
    </message>
    <message>
        <location filename="../../app/views/synonyms_editor.py" line="104"/>
        <source>Choose a synonym in the list, or type both words, to remove it.</source>
        <translation>Ein Synonym in der Liste wählen oder beide Wörter eingeben, um es zu entfernen.</translation>
    </message>
    <message>
        <location filename="../../app/views/synonyms_editor.py" line="112"/>
        <source>Saved. Searches use it now; the next sync shares it.</source>
        <translation>Gespeichert. Die Suche nutzt es ab sofort; die nächste Synchronisierung teilt es.</translation>
    </message>
    <message>
        <location filename="../../app/views/synonyms_editor.py" line="117"/>
        <source>That did not work.</source>
        <translation>Das hat nicht funktioniert.</translation>
    </message>
</context>
<context>
    <name>Toast</name>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="399"/>
        <source>Dismiss</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="400"/>
        <source>Dismiss the message</source>
        <translation>Die Meldung schließen</translation>
    </message>
</context>
<context>
    <name>jobs</name>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="31"/>
        <source>estimating time left…</source>
        <translation>Restzeit wird geschätzt …</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="34"/>
        <source>about %n h left</source>
        <translation>
            <numerusform>noch etwa %n Stunde</numerusform>
            <numerusform>noch etwa %n Stunden</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="36"/>
        <source>about %n min left</source>
        <translation>
            <numerusform>noch etwa %n Minute</numerusform>
            <numerusform>noch etwa %n Minuten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="37"/>
        <source>%n s left</source>
        <translation>
            <numerusform>noch %n Sekunde</numerusform>
            <numerusform>noch %n Sekunden</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="133"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="148"/>
        <source>Failed: %1</source>
        <translation>Fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="149"/>
        <source>unknown error</source>
        <translation>unbekannter Fehler</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="151"/>
        <source>%n products imported</source>
        <translation>
            <numerusform>%n Produkt importiert</numerusform>
            <numerusform>%n Produkte importiert</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="152"/>
        <source>%n indexed</source>
        <translation>
            <numerusform>%n indexiert</numerusform>
            <numerusform>%n indexiert</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="153"/>
        <source>%n unchanged</source>
        <translation>
            <numerusform>%n unverändert</numerusform>
            <numerusform>%n unverändert</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="156"/>
        <source>%1 of %2 products went in</source>
        <translation>%1 von %2 Produkten übernommen</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="159"/>
        <source>%n products indexed with the new model</source>
        <translation>
            <numerusform>%n Produkt mit dem neuen Modell indexiert</numerusform>
            <numerusform>%n Produkte mit dem neuen Modell indexiert</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="160"/>
        <source>; complete: promote it on the Models page</source>
        <translation>; vollständig: auf der Seite „Modelle“ übernehmen</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="162"/>
        <source>Cancelled: no detector was saved</source>
        <translation>Abgebrochen: kein Detektor wurde gespeichert</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="166"/>
        <source>%1 of %2 products with a scene photo now have a box from %3</source>
        <translation>%1 von %2 Produkten mit Szenenfoto haben jetzt einen Rahmen von %3</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="168"/>
        <source>the detector</source>
        <translation>dem Detektor</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="170"/>
        <source>%n errors</source>
        <translation>
            <numerusform>%n Fehler</numerusform>
            <numerusform>%n Fehler</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="172"/>
        <source>%n warnings</source>
        <translation>
            <numerusform>%n Warnung</numerusform>
            <numerusform>%n Warnungen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="174"/>
        <source>in %1 s</source>
        <translation>in %1 s</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="176"/>
        <source>Cancelled: %1</source>
        <translation>Abgebrochen: %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="178"/>
        <source>Finished with %n errors: </source>
        <translation>
            <numerusform>Mit %n Fehler beendet: </numerusform>
            <numerusform>Mit %n Fehlern beendet: </numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="179"/>
        <location filename="../../app/views/jobs_panel.py" line="195"/>
        <source>Done: %1</source>
        <translation>Fertig: %1</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="185"/>
        <source>finds the product in %1 of held-back scenes vs %2 for %3</source>
        <translation>findet das Produkt in %1 der zurückgehaltenen Szenen, gegenüber %2 für %3</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="187"/>
        <source>the current one</source>
        <translation>den aktuellen</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="188"/>
        <source>promoted: new photos and searches use it (older scene photos: Models page)</source>
        <translation>übernommen: neue Fotos und Suchen nutzen ihn (ältere Szenenfotos: Seite „Modelle“)</translation>
    </message>
    <message>
        <location filename="../../app/views/jobs_panel.py" line="189"/>
        <source>not promoted</source>
        <translation>nicht übernommen</translation>
    </message>
    <message>
        <location filename="../../app/workers/jobs.py" line="31"/>
        <source>Index %1</source>
        <translation>%1 indexieren</translation>
    </message>
    <message>
        <location filename="../../app/workers/jobs.py" line="32"/>
        <source>Index products not indexed</source>
        <translation>Nicht indexierte Produkte indexieren</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/workers/jobs.py" line="34"/>
        <source>Re-index %n products</source>
        <translation>
            <numerusform>%n Produkt neu indexieren</numerusform>
            <numerusform>%n Produkte neu indexieren</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>run_gui</name>
    <message>
        <location filename="../../app/main.py" line="83"/>
        <source>The catalog could not be opened:
{error}</source>
        <translation>Der Katalog konnte nicht geöffnet werden:
{error}</translation>
    </message>
</context>
<context>
    <name>sync</name>
    <message>
        <location filename="../../app/views/sync_status.py" line="31"/>
        <source>%1 (failed; last ok %2)</source>
        <translation>%1 (fehlgeschlagen; zuletzt erfolgreich %2)</translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="32"/>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="41"/>
        <source>Syncing…</source>
        <translation>Synchronisiere …</translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="43"/>
        <source>Sync: %1 pending, %2 failed</source>
        <translation>Synchronisierung: %1 wartend, %2 fehlgeschlagen</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/sync_status.py" line="46"/>
        <source>Sync: %n remote items quarantined</source>
        <translation>
            <numerusform>Synchronisierung: %n entfernter Eintrag in Quarantäne</numerusform>
            <numerusform>Synchronisierung: %n entfernte Einträge in Quarantäne</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="48"/>
        <source>Sync off</source>
        <translation>Synchronisierung aus</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/sync_status.py" line="50"/>
        <source>Sync: %n pending</source>
        <translation>
            <numerusform>Synchronisierung: %n wartend</numerusform>
            <numerusform>Synchronisierung: %n wartend</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="50"/>
        <source>Sync: up to date</source>
        <translation>Synchronisierung: aktuell</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/sync_status.py" line="52"/>
        <source>%n changes waiting to be sent</source>
        <translation>
            <numerusform>%n Änderung wartet auf Versand</numerusform>
            <numerusform>%n Änderungen warten auf Versand</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/sync_status.py" line="53"/>
        <source>%n failed</source>
        <translation>
            <numerusform>%n fehlgeschlagen</numerusform>
            <numerusform>%n fehlgeschlagen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="54"/>
        <source>Last sync: %1</source>
        <translation>Letzte Synchronisierung: %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/sync_status.py" line="56"/>
        <source>%n remote items could not be read or verified and were set aside; the rest synced</source>
        <translation>
            <numerusform>%n entfernter Eintrag konnte nicht gelesen oder geprüft werden und wurde beiseitegelegt; der Rest wurde synchronisiert</numerusform>
            <numerusform>%n entfernte Einträge konnten nicht gelesen oder geprüft werden und wurden beiseitegelegt; der Rest wurde synchronisiert</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/views/sync_status.py" line="59"/>
        <source>Last run: %1</source>
        <translation>Letzter Lauf: %1</translation>
    </message>
</context>
</TS>
