<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
    <context>
        <name>AboutDialog</name>
        <message>
            <location filename="../../app/about.py" line="104" />
            <source>Version</source>
            <translation>Version</translation>
        </message>
        <message>
            <location filename="../../app/about.py" line="105" />
            <source>Licence</source>
            <translation>Lizenz</translation>
        </message>
        <message>
            <location filename="../../app/about.py" line="113" />
            <source>Device</source>
            <translation>Gerät</translation>
        </message>
        <message>
            <location filename="../../app/about.py" line="113" />
            <source>%1 (setting: %2; available: %3)</source>
            <translation>%1 (Einstellung: %2; verfügbar: %3)</translation>
        </message>
        <message>
            <location filename="../../app/about.py" line="116" />
            <source>%1 on %2</source>
            <translation>%1 auf %2</translation>
        </message>
        <message>
            <location filename="../../app/about.py" line="127" />
            <source>About %1</source>
            <translation>Über %1</translation>
        </message>
        <message>
            <location filename="../../app/about.py" line="137" />
            <source>%1:</source>
            <translation>%1:</translation>
        </message>
        <message>
            <location filename="../../app/about.py" line="140" />
            <source>Copy</source>
            <translation>Kopieren</translation>
        </message>
        <message>
            <location filename="../../app/about.py" line="141" />
            <source>Copy every version as JSON, for a bug report</source>
            <translation>Alle Versionen als JSON kopieren, für einen Fehlerbericht</translation>
        </message>
        <message>
            <location filename="../../app/about.py" line="144" />
            <location filename="../../app/about.py" line="163" />
            <source>Third-party notices</source>
            <translation>Hinweise zu Drittanbietern</translation>
        </message>
        <message>
            <location filename="../../app/about.py" line="156" />
            <source>%1 is licensed under %2.

This is a source install: the notices for the libraries an installer bundles are generated when it is built (packaging/notices.py).</source>
            <translation>%1 steht unter der Lizenz %2.

Dies ist eine Installation aus dem Quellcode: Die Hinweise zu den Bibliotheken, die ein Installer mitbringt, entstehen beim Bauen (packaging/notices.py).</translation>
        </message>
    </context>
    <context>
        <name>AlarmBadge</name>
        <message numerus="yes">
            <location filename="../../app/views/health_view.py" line="146" />
            <source>%n drift alarms</source>
            <translation>
                <numerusform>%n Drift-Alarm</numerusform>
                <numerusform>%n Drift-Alarme</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="147" />
            <source>New images do not look like the catalog's reference. Click to review in Health.</source>
            <translation>Neue Bilder sehen anders aus als die Referenz des Katalogs. Klicken, um sie unter „Zustand“ zu prüfen.</translation>
        </message>
    </context>
    <context>
        <name>AnalyticsView</name>
        <message numerus="yes">
            <location filename="../../app/views/analytics_view.py" line="32" />
            <source>Last %n days</source>
            <translation>
                <numerusform>Letzter Tag</numerusform>
                <numerusform>Letzte %n Tage</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/analytics_view.py" line="35" />
            <source>Refresh</source>
            <translation>Aktualisieren</translation>
        </message>
        <message>
            <location filename="../../app/views/analytics_view.py" line="52" />
            <source>Queries per day</source>
            <translation>Suchen pro Tag</translation>
        </message>
        <message>
            <location filename="../../app/views/analytics_view.py" line="52" />
            <location filename="../../app/views/analytics_view.py" line="53" />
            <source>day</source>
            <translation>Tag</translation>
        </message>
        <message>
            <location filename="../../app/views/analytics_view.py" line="52" />
            <location filename="../../app/views/analytics_view.py" line="54" />
            <source>queries</source>
            <translation>Suchen</translation>
        </message>
        <message>
            <location filename="../../app/views/analytics_view.py" line="53" />
            <source>Zero-result rate</source>
            <translation>Anteil ohne Ergebnis</translation>
        </message>
        <message>
            <location filename="../../app/views/analytics_view.py" line="53" />
            <source>share</source>
            <translation>Anteil</translation>
        </message>
        <message>
            <location filename="../../app/views/analytics_view.py" line="54" />
            <source>Latency</source>
            <translation>Antwortzeit</translation>
        </message>
        <message>
            <location filename="../../app/views/analytics_view.py" line="54" />
            <source>ms</source>
            <translation>ms</translation>
        </message>
        <message>
            <location filename="../../app/views/analytics_view.py" line="55" />
            <source>Clicks by rank</source>
            <translation>Klicks nach Rang</translation>
        </message>
        <message>
            <location filename="../../app/views/analytics_view.py" line="55" />
            <source>rank</source>
            <translation>Rang</translation>
        </message>
        <message>
            <location filename="../../app/views/analytics_view.py" line="55" />
            <source>clicks</source>
            <translation>Klicks</translation>
        </message>
        <message>
            <location filename="../../app/views/analytics_view.py" line="93" />
            <source>Could not read analytics: %1</source>
            <translation>Auswertung konnte nicht gelesen werden: %1</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/analytics_view.py" line="105" />
            <source>%n queries</source>
            <translation>
                <numerusform>%n Suche</numerusform>
                <numerusform>%n Suchen</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/analytics_view.py" line="106" />
            <source>%1 with no results</source>
            <translation>%1 ohne Ergebnis</translation>
        </message>
        <message>
            <location filename="../../app/views/analytics_view.py" line="107" />
            <source>latency p50 %1 ms, p95 %2 ms</source>
            <translation>Antwortzeit p50 %1 ms, p95 %2 ms</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/analytics_view.py" line="108" />
            <source>%n clicks</source>
            <translation>
                <numerusform>%n Klick</numerusform>
                <numerusform>%n Klicks</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/analytics_view.py" line="122" />
            <location filename="../../app/views/analytics_view.py" line="129" />
            <location filename="../../app/views/analytics_view.py" line="134" />
            <source>No searches in these days</source>
            <translation>Keine Suchen in diesem Zeitraum</translation>
        </message>
        <message>
            <location filename="../../app/views/analytics_view.py" line="136" />
            <source>No result was opened from a search yet</source>
            <translation>Noch kein Suchergebnis geöffnet</translation>
        </message>
    </context>
    <context>
        <name>BatchBar</name>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="21" />
            <source>Delete %n products</source>
            <translation>
                <numerusform>%n Produkt löschen</numerusform>
                <numerusform>%n Produkte löschen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="40" />
            <source>%n products</source>
            <translation>
                <numerusform>%n Produkt</numerusform>
                <numerusform>%n Produkte</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/batch_bar.py" line="54" />
            <source>Approve</source>
            <translation>Freigeben</translation>
        </message>
        <message>
            <location filename="../../app/views/batch_bar.py" line="55" />
            <source>Flag</source>
            <translation>Markieren</translation>
        </message>
        <message>
            <location filename="../../app/views/batch_bar.py" line="57" />
            <source>Add a label to all… (Enter)</source>
            <translation>Allen ein Label geben … (Eingabe)</translation>
        </message>
        <message>
            <location filename="../../app/views/batch_bar.py" line="58" />
            <source>Label for the selected products</source>
            <translation>Label für die ausgewählten Produkte</translation>
        </message>
        <message>
            <location filename="../../app/views/batch_bar.py" line="68" />
            <source>Re-index</source>
            <translation>Neu indexieren</translation>
        </message>
        <message>
            <location filename="../../app/views/batch_bar.py" line="69" />
            <source>Run detection and embedding again for the selected products (boxes a curator drew or moved are kept)</source>
            <translation>Erkennung und Einbettung für die ausgewählten Produkte neu ausführen (von Kuratoren gezeichnete oder verschobene Rahmen bleiben erhalten)</translation>
        </message>
        <message>
            <location filename="../../app/views/batch_bar.py" line="71" />
            <source>Delete</source>
            <translation>Löschen</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="87" />
            <source>%n selected</source>
            <translation>
                <numerusform>%n ausgewählt</numerusform>
                <numerusform>%n ausgewählt</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="88" />
            <source>Approve the %n selected products (Ctrl+Z undoes)</source>
            <translation>
                <numerusform>Das ausgewählte Produkt freigeben (Strg+Z macht es rückgängig)</numerusform>
                <numerusform>Die %n ausgewählten Produkte freigeben (Strg+Z macht es rückgängig)</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="89" />
            <source>Flag the %n selected products (Ctrl+Z undoes)</source>
            <translation>
                <numerusform>Das ausgewählte Produkt markieren (Strg+Z macht es rückgängig)</numerusform>
                <numerusform>Die %n ausgewählten Produkte markieren (Strg+Z macht es rückgängig)</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="90" />
            <source>Delete the %n selected products (Ctrl+Z undoes)</source>
            <translation>
                <numerusform>Das ausgewählte Produkt löschen (Strg+Z macht es rückgängig)</numerusform>
                <numerusform>Die %n ausgewählten Produkte löschen (Strg+Z macht es rückgängig)</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/batch_bar.py" line="98" />
            <source>Select products first (Ctrl/Shift+click, Ctrl+A)</source>
            <translation>Zuerst Produkte auswählen (Strg/Umschalt+Klick, Strg+A)</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="114" />
            <source>Approved %n products — Ctrl+Z undoes all of them</source>
            <translation>
                <numerusform>%n Produkt freigegeben – Strg+Z macht es rückgängig</numerusform>
                <numerusform>%n Produkte freigegeben – Strg+Z macht alle rückgängig</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="115" />
            <source>Flagged %n products — Ctrl+Z undoes all of them</source>
            <translation>
                <numerusform>%n Produkt markiert – Strg+Z macht es rückgängig</numerusform>
                <numerusform>%n Produkte markiert – Strg+Z macht alle rückgängig</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/batch_bar.py" line="121" />
            <source>Type a label first, e.g. colours: red or a word of your own</source>
            <translation>Zuerst ein Label eingeben, z. B. colours: red oder ein eigenes Wort</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="127" />
            <source>Label “%1” added to %n products — Ctrl+Z undoes</source>
            <translation>
                <numerusform>Label „%1“ zu %n Produkt hinzugefügt – Strg+Z macht es rückgängig</numerusform>
                <numerusform>Label „%1“ zu %n Produkten hinzugefügt – Strg+Z macht es rückgängig</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="134" />
            <source>Re-indexing %n products — progress below</source>
            <translation>
                <numerusform>%n Produkt wird neu indexiert – Fortschritt unten</numerusform>
                <numerusform>%n Produkte werden neu indexiert – Fortschritt unten</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/batch_bar.py" line="142" />
            <source>%1 — Ctrl+Z undoes</source>
            <translation>%1 – Strg+Z macht es rückgängig</translation>
        </message>
    </context>
    <context>
        <name>CatalogGrid</name>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="56" />
            <source>Title</source>
            <translation>Titel</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="56" />
            <source>SKU</source>
            <translation>Artikelnummer</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="57" />
            <source>Newest</source>
            <translation>Neueste</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="57" />
            <source>Category</source>
            <translation>Kategorie</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="62" />
            <source>Indexed: searchable</source>
            <translation>Indexiert: auffindbar</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="63" />
            <source>Not indexed yet: not searchable</source>
            <translation>Noch nicht indexiert: nicht auffindbar</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="64" />
            <source>Indexing failed: see its History</source>
            <translation>Indexierung fehlgeschlagen: siehe Verlauf</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="65" />
            <source>Corrected by a curator</source>
            <translation>Von einem Kurator korrigiert</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="66" />
            <source>Approved in review</source>
            <translation>In der Prüfung freigegeben</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="67" />
            <source>Flagged for another look</source>
            <translation>Zur erneuten Prüfung markiert</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="71" />
            <source>All</source>
            <translation>Alle</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="71" />
            <source>Indexed</source>
            <translation>Indexiert</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="72" />
            <source>Not indexed</source>
            <translation>Nicht indexiert</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="72" />
            <source>Errors</source>
            <translation>Fehler</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="73" />
            <source>Corrected</source>
            <translation>Korrigiert</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="184" />
            <source>Filter by title or SKU</source>
            <translation>Nach Titel oder Artikelnummer filtern</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="185" />
            <source>Filter products</source>
            <translation>Produkte filtern</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="192" />
            <source>Sort products by</source>
            <translation>Produkte sortieren nach</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="197" />
            <source>Category:</source>
            <translation>Kategorie:</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="205" />
            <source>Picture size of the tiles (kept in the catalog's settings)</source>
            <translation>Bildgröße der Kacheln (in den Einstellungen des Katalogs gespeichert)</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="206" />
            <source>Tile size</source>
            <translation>Kachelgröße</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="209" />
            <source>Sort:</source>
            <translation>Sortierung:</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="211" />
            <source>Size:</source>
            <translation>Größe:</translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="218" />
            <source>Products</source>
            <translation>Produkte</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/catalog_grid.py" line="275" />
            <source>%n products</source>
            <translation>
                <numerusform>%n Produkt</numerusform>
                <numerusform>%n Produkte</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/catalog_grid.py" line="336" />
            <source>%1 — press Ctrl+Z to undo</source>
            <translation>%1 – Strg+Z macht es rückgängig</translation>
        </message>
    </context>
    <context>
        <name>DuplicatesView</name>
        <message numerus="yes">
            <location filename="../../app/views/duplicates_view.py" line="39" />
            <source>%n exact copies</source>
            <translation>
                <numerusform>%n exakte Kopie</numerusform>
                <numerusform>%n exakte Kopien</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/duplicates_view.py" line="40" />
            <source>%n near duplicates</source>
            <translation>
                <numerusform>%n Beinahe-Duplikat</numerusform>
                <numerusform>%n Beinahe-Duplikate</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/duplicates_view.py" line="41" />
            <source>%n colour variants</source>
            <translation>
                <numerusform>%n Farbvariante</numerusform>
                <numerusform>%n Farbvarianten</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>EmptyState</name>
        <message>
            <location filename="../../app/views/empty_state.py" line="18" />
            <source>Drop product folders here…</source>
            <translation>Produktordner hier ablegen …</translation>
        </message>
        <message>
            <location filename="../../app/views/empty_state.py" line="22" />
            <source>One folder per product, with its photos and an optional product.json (sku, title, category, price, attributes) — or a folder of such folders, or a CSV manifest.
Catalog Curator imports them, finds each product in its photos and makes them searchable.</source>
            <translation>Ein Ordner pro Produkt, mit seinen Fotos und optional einer product.json (sku, title, category, price, attributes) – oder ein Ordner solcher Ordner oder ein CSV-Manifest.
Catalog Curator importiert sie, findet jedes Produkt in seinen Fotos und macht sie durchsuchbar.</translation>
        </message>
        <message>
            <location filename="../../app/views/empty_state.py" line="29" />
            <source>Add product folder…  (Ctrl+O)</source>
            <translation>Produktordner hinzufügen …  (Strg+O)</translation>
        </message>
    </context>
    <context>
        <name>ErrorDialog</name>
        <message>
            <location filename="../../app/views/error_dialog.py" line="24" />
            <source>Something went wrong</source>
            <translation>Etwas ist schiefgegangen</translation>
        </message>
        <message>
            <location filename="../../app/views/error_dialog.py" line="34" />
            <source>Your data is safe: the catalog saves each product as it goes. The details are in the log.</source>
            <translation>Ihre Daten sind sicher: Der Katalog speichert jedes Produkt sofort. Die Einzelheiten stehen im Protokoll.</translation>
        </message>
        <message>
            <location filename="../../app/views/error_dialog.py" line="44" />
            <location filename="../../app/views/error_dialog.py" line="60" />
            <source>Show details</source>
            <translation>Details zeigen</translation>
        </message>
        <message>
            <location filename="../../app/views/error_dialog.py" line="47" />
            <source>Copy report</source>
            <translation>Bericht kopieren</translation>
        </message>
        <message>
            <location filename="../../app/views/error_dialog.py" line="49" />
            <source>Open log folder</source>
            <translation>Protokollordner öffnen</translation>
        </message>
        <message>
            <location filename="../../app/views/error_dialog.py" line="60" />
            <source>Hide details</source>
            <translation>Details ausblenden</translation>
        </message>
    </context>
    <context>
        <name>ExportDialog</name>
        <message>
            <location filename="../../app/views/export_dialog.py" line="29" />
            <source>COCO JSON — boxes and labels for training</source>
            <translation>COCO JSON – Rahmen und Labels fürs Training</translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="30" />
            <source>a folder: annotations.json and images/</source>
            <translation>einen Ordner: annotations.json und images/</translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="31" />
            <source>YOLO txt — boxes for training</source>
            <translation>YOLO txt – Rahmen fürs Training</translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="32" />
            <source>a folder: images/, labels/ and data.yaml</source>
            <translation>einen Ordner: images/, labels/ und data.yaml</translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="33" />
            <source>CSV — one row per product</source>
            <translation>CSV – eine Zeile pro Produkt</translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="34" />
            <source>a .csv file</source>
            <translation>eine .csv-Datei</translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="35" />
            <source>JSON Lines — everything about each product</source>
            <translation>JSON Lines – alles über jedes Produkt</translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="36" />
            <source>a .jsonl file</source>
            <translation>eine .jsonl-Datei</translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="59" />
            <location filename="../../app/views/export_dialog.py" line="87" />
            <source>Export</source>
            <translation>Exportieren</translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="68" />
            <source>Choose…</source>
            <translation>Auswählen …</translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="75" />
            <source>Only products a curator corrected</source>
            <translation>Nur von Kuratoren korrigierte Produkte</translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="76" />
            <source>Boxes a person checked make the best training data</source>
            <translation>Von Menschen geprüfte Rahmen sind die besten Trainingsdaten</translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="78" />
            <source>Format:</source>
            <translation>Format:</translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="79" />
            <source>Save to:</source>
            <translation>Speichern unter:</translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="105" />
            <source>Writes %1</source>
            <translation>Schreibt %1</translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="127" />
            <source>Choose where to save the export.</source>
            <translation>Wählen Sie, wo der Export gespeichert wird.</translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="140" />
            <source>Exporting…</source>
            <translation>Wird exportiert …</translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="157" />
            <source>Wrote %1 photos with %2 boxes in %3 classes: %4</source>
            <translation>%1 Fotos mit %2 Rahmen in %3 Klassen geschrieben: %4</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/export_dialog.py" line="161" />
            <source>Wrote %n products: %1</source>
            <translation>
                <numerusform>%n Produkt geschrieben: %1</numerusform>
                <numerusform>%n Produkte geschrieben: %1</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="166" />
            <source>Export failed: %1</source>
            <translation>Export fehlgeschlagen: %1</translation>
        </message>
        <message>
            <location filename="../../app/views/export_dialog.py" line="173" />
            <source>Close</source>
            <translation>Schließen</translation>
        </message>
    </context>
    <context>
        <name>FilterCompleter</name>
        <message numerus="yes">
            <location filename="../../app/views/filter_completer.py" line="69" />
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
            <location filename="../../app/views/health_view.py" line="175" />
            <source>Last 7 days</source>
            <translation>Letzte 7 Tage</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="177" />
            <source>Jobs</source>
            <translation>Aufgaben</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="177" />
            <source>Throughput</source>
            <translation>Durchsatz</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="177" />
            <source>Error rate</source>
            <translation>Fehlerquote</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="178" />
            <source>Seconds per product</source>
            <translation>Sekunden pro Produkt</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="178" />
            <source>Search latency</source>
            <translation>Antwortzeit der Suche</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="179" />
            <source>Device</source>
            <translation>Gerät</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="179" />
            <source>GPU memory</source>
            <translation>GPU-Speicher</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="179" />
            <source>Products</source>
            <translation>Produkte</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="189" />
            <source>Prometheus endpoint</source>
            <translation>Prometheus-Endpunkt</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="197" />
            <source>Drift alarms</source>
            <translation>Drift-Alarme</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="199" />
            <source>When</source>
            <translation>Wann</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="199" />
            <location filename="../../app/views/health_view.py" line="213" />
            <source>Model version</source>
            <translation>Modellversion</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="199" />
            <source>p-value</source>
            <translation>p-Wert</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="199" />
            <source>Batch</source>
            <translation>Stapel</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="200" />
            <location filename="../../app/views/health_view.py" line="213" />
            <source>State</source>
            <translation>Zustand</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="202" />
            <source>Acknowledge</source>
            <translation>Bestätigen</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="203" />
            <source>Mark the selected alarm (or all open ones when none is selected) as seen</source>
            <translation>Den gewählten Alarm (oder alle offenen, wenn keiner gewählt ist) als gesehen markieren</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="211" />
            <source>Model versions</source>
            <translation>Modellversionen</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="213" />
            <source>Embedder</source>
            <translation>Einbettungsmodell</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="214" />
            <source>Vectors</source>
            <translation>Vektoren</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="214" />
            <source>Searches</source>
            <translation>Suchen</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="216" />
            <source>Promote</source>
            <translation>Übernehmen</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="217" />
            <source>Make the selected version the one searches use</source>
            <translation>Die gewählte Version für die Suche verwenden</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="219" />
            <source>Delete</source>
            <translation>Löschen</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="220" />
            <source>Delete the selected version's index (never the active one)</source>
            <translation>Den Index der gewählten Version löschen (nie den aktiven)</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="232" />
            <source>Label heads (trained from curators' labels)</source>
            <translation>Label-Köpfe (aus den Labels der Kuratoren trainiert)</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="234" />
            <source>Vocabulary</source>
            <translation>Vokabular</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="234" />
            <source>Examples</source>
            <translation>Beispiele</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="234" />
            <source>Head</source>
            <translation>Kopf</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="234" />
            <source>Without it</source>
            <translation>Ohne ihn</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="235" />
            <source>Used</source>
            <translation>Verwendet</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="265" />
            <source>no GPU</source>
            <translation>keine GPU</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="266" />
            <source>%1 of %2 indexed</source>
            <translation>%1 von %2 indexiert</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="271" />
            <source>Updated %1 · read in %2 ms</source>
            <translation>Aktualisiert %1 · gelesen in %2 ms</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="279" />
            <source>seen</source>
            <translation>gesehen</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="279" />
            <source>OPEN</source>
            <translation>OFFEN</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="288" />
            <source>No drift detected</source>
            <translation>Keine Drift erkannt</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="299" />
            <source>active</source>
            <translation>aktiv</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="316" />
            <source>used</source>
            <translation>verwendet</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="316" />
            <source>not used</source>
            <translation>nicht verwendet</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="320" />
            <source>Not enough curator labels yet</source>
            <translation>Noch nicht genug Labels von Kuratoren</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="349" />
            <source>Set a port in Settings to serve metrics</source>
            <translation>In den Einstellungen einen Port angeben, um Messwerte bereitzustellen</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/health_view.py" line="355" />
            <source>%n drift alarms acknowledged</source>
            <translation>
                <numerusform>%n Drift-Alarm bestätigt</numerusform>
                <numerusform>%n Drift-Alarme bestätigt</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="392" />
            <source>The model version could not be changed: %1</source>
            <translation>Die Modellversion konnte nicht geändert werden: %1</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="396" />
            <source>%1 deleted</source>
            <translation>%1 gelöscht</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="402" />
            <source>Delete model version</source>
            <translation>Modellversion löschen</translation>
        </message>
        <message>
            <location filename="../../app/views/health_view.py" line="402" />
            <source>Delete the index of %1? Its vectors are removed; the embedding cache keeps the crops.</source>
            <translation>Den Index von %1 löschen? Seine Vektoren werden entfernt; der Einbettungs-Cache behält die Ausschnitte.</translation>
        </message>
    </context>
    <context>
        <name>ImageBoxes</name>
        <message>
            <location filename="../../app/views/image_boxes.py" line="34" />
            <source>No image</source>
            <translation>Kein Bild</translation>
        </message>
        <message>
            <location filename="../../app/views/image_boxes.py" line="111" />
            <source>Loading…</source>
            <translation>Wird geladen …</translation>
        </message>
    </context>
    <context>
        <name>JobRow</name>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="59" />
            <source>Progress of %1</source>
            <translation>Fortschritt von %1</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="60" />
            <source>Waiting for the models…</source>
            <translation>Warte auf die Modelle …</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="61" />
            <source>Cancel</source>
            <translation>Abbrechen</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="62" />
            <source>Cancel %1</source>
            <translation>%1 abbrechen</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="65" />
            <source>Errors and warnings</source>
            <translation>Fehler und Warnungen</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="81" />
            <source>Cancelling…</source>
            <translation>Wird abgebrochen …</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="82" />
            <source>Cancelling… (stops after the current batch; nothing is saved)</source>
            <translation>Wird abgebrochen … (endet nach dem laufenden Stapel; nichts wird gespeichert)</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="84" />
            <source>Cancelling… (what is already indexed is kept)</source>
            <translation>Wird abgebrochen … (bereits Indexiertes bleibt erhalten)</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="98" />
            <source>%1 images/s</source>
            <translation>%1 Bilder/s</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="99" />
            <source>Importing</source>
            <translation>Import</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="99" />
            <source>Indexing</source>
            <translation>Indexierung</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="109" />
            <source>%1 of %2 products went in</source>
            <translation>%1 von %2 Produkten übernommen</translation>
        </message>
    </context>
    <context>
        <name>JobStrip</name>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="256" />
            <source>Background jobs</source>
            <translation>Hintergrundaufgaben</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="265" />
            <source>Job progress</source>
            <translation>Fortschritt der Aufgabe</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="270" />
            <source>Cancel this job (what is done is kept)</source>
            <translation>Diese Aufgabe abbrechen (Erledigtes bleibt erhalten)</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="271" />
            <source>Cancel the job</source>
            <translation>Aufgabe abbrechen</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="275" />
            <source>Details</source>
            <translation>Details</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="277" />
            <source>Show every job with its errors (Ctrl+J)</source>
            <translation>Alle Aufgaben mit ihren Fehlern zeigen (Strg+J)</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="329" />
            <source>%n jobs</source>
            <translation>
                <numerusform>%n Aufgabe</numerusform>
                <numerusform>%n Aufgaben</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="341" />
            <source>Cancelling…</source>
            <translation>Wird abgebrochen …</translation>
        </message>
    </context>
    <context>
        <name>JobsPanel</name>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="208" />
            <source>No jobs yet. Drop product folders on the window to import and index them.</source>
            <translation>Noch keine Aufgaben. Produktordner auf das Fenster ziehen, um sie zu importieren und zu indexieren.</translation>
        </message>
    </context>
    <context>
        <name>Loupe</name>
        <message>
            <location filename="../../app/views/loupe.py" line="37" />
            <source>Loupe</source>
            <translation>Lupe</translation>
        </message>
        <message>
            <location filename="../../app/views/loupe.py" line="46" />
            <source>Grid</source>
            <translation>Raster</translation>
        </message>
        <message>
            <location filename="../../app/views/loupe.py" line="47" />
            <source>Back to the grid (G)</source>
            <translation>Zurück zum Raster (G)</translation>
        </message>
        <message>
            <location filename="../../app/views/loupe.py" line="48" />
            <source>Back to the grid</source>
            <translation>Zurück zum Raster</translation>
        </message>
        <message>
            <location filename="../../app/views/loupe.py" line="52" />
            <source>No image</source>
            <translation>Kein Bild</translation>
        </message>
        <message>
            <location filename="../../app/views/loupe.py" line="53" />
            <source>Photo</source>
            <translation>Foto</translation>
        </message>
        <message>
            <location filename="../../app/views/loupe.py" line="57" />
            <source>Views of this product</source>
            <translation>Ansichten dieses Produkts</translation>
        </message>
        <message>
            <location filename="../../app/views/loupe.py" line="64" />
            <source>← → views · J K products · G or Esc: grid</source>
            <translation>← → Ansichten · J K Produkte · G oder Esc: Raster</translation>
        </message>
        <message>
            <location filename="../../app/views/loupe.py" line="93" />
            <source>No product selected</source>
            <translation>Kein Produkt ausgewählt</translation>
        </message>
        <message>
            <location filename="../../app/views/loupe.py" line="109" />
            <source>This product has no photo</source>
            <translation>Dieses Produkt hat kein Foto</translation>
        </message>
        <message>
            <location filename="../../app/views/loupe.py" line="131" />
            <source>Unreadable image: %1</source>
            <translation>Unlesbares Bild: %1</translation>
        </message>
        <message>
            <location filename="../../app/views/loupe.py" line="136" />
            <source>View %1 of %2 · %3 × %4 px</source>
            <translation>Ansicht %1 von %2 · %3 × %4 px</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <location filename="../../app/views/main_window.py" line="65" />
            <source>Catalog Curator %1 — %2</source>
            <translation>Catalog Curator %1 – %2</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="67" />
            <source> (read-only)</source>
            <translation> (schreibgeschützt)</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="113" />
            <source>Pages</source>
            <translation>Seiten</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="114" />
            <source>Catalog</source>
            <translation>Katalog</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="115" />
            <location filename="../../app/views/main_window.py" line="198" />
            <source>Search</source>
            <translation>Suche</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="116" />
            <source>Analytics</source>
            <translation>Auswertung</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="118" />
            <source>Review</source>
            <translation>Prüfung</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="121" />
            <location filename="../../app/views/main_window.py" line="278" />
            <source>Health</source>
            <translation>Zustand</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="123" />
            <source>Duplicates</source>
            <translation>Duplikate</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="125" />
            <source>Models</source>
            <translation>Modelle</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="140" />
            <location filename="../../app/views/main_window.py" line="233" />
            <source>Sync</source>
            <translation>Synchronisierung</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="146" />
            <location filename="../../app/views/main_window.py" line="224" />
            <source>Jobs</source>
            <translation>Aufgaben</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="158" />
            <source>Read-only</source>
            <translation>Schreibgeschützt</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="192" />
            <source>Undo %1 (Ctrl+Z)</source>
            <translation>%1 rückgängig machen (Strg+Z)</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="193" />
            <source>Nothing to undo</source>
            <translation>Nichts rückgängig zu machen</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="196" />
            <source>Add folder…</source>
            <translation>Ordner hinzufügen …</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="197" />
            <source>Import and index product folders</source>
            <translation>Produktordner importieren und indexieren</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="200" />
            <source>Delete</source>
            <translation>Löschen</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="201" />
            <source>Delete the selected products (undo with Ctrl+Z)</source>
            <translation>Ausgewählte Produkte löschen (rückgängig mit Strg+Z)</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="202" />
            <location filename="../../app/views/main_window.py" line="211" />
            <source>Undo</source>
            <translation>Rückgängig</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="206" />
            <source>Redo</source>
            <translation>Wiederholen</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="218" />
            <source>Settings…</source>
            <translation>Einstellungen …</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="220" />
            <source>Export…</source>
            <translation>Exportieren …</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="221" />
            <source>Export the catalog, or its boxes for training (COCO, YOLO)</source>
            <translation>Den Katalog exportieren oder seine Rahmen fürs Training (COCO, YOLO)</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="226" />
            <source>Every job with its errors (Ctrl+J)</source>
            <translation>Alle Aufgaben mit ihren Fehlern (Strg+J)</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="229" />
            <source>About</source>
            <translation>Über</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="230" />
            <source>Sync now</source>
            <translation>Jetzt synchronisieren</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="231" />
            <source>Send corrections and fetch other curators'</source>
            <translation>Korrekturen senden und die anderer Kuratoren abholen</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="234" />
            <source>Loupe</source>
            <translation>Lupe</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="235" />
            <source>The photo large, with its boxes and every view</source>
            <translation>Das Foto groß, mit seinen Rahmen und allen Ansichten</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="236" />
            <source>Grid</source>
            <translation>Raster</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="236" />
            <source>Back to the grid</source>
            <translation>Zurück zum Raster</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="237" />
            <source>Keyboard shortcuts</source>
            <translation>Tastenkürzel</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="240" />
            <source>Main</source>
            <translation>Haupt</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="256" />
            <source>&amp;File</source>
            <translation>&amp;Datei</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="257" />
            <source>Open catalog…</source>
            <translation>Katalog öffnen …</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="258" />
            <source>Open another catalog folder in this window</source>
            <translation>Einen anderen Katalogordner in diesem Fenster öffnen</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="260" />
            <source>Recent catalogs</source>
            <translation>Zuletzt geöffnete Kataloge</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="266" />
            <source>Quit</source>
            <translation>Beenden</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="267" />
            <source>&amp;Edit</source>
            <translation>&amp;Bearbeiten</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="270" />
            <source>&amp;View</source>
            <translation>&amp;Ansicht</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="276" />
            <source>Review queue</source>
            <translation>Prüfliste</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="280" />
            <source>Next product</source>
            <translation>Nächstes Produkt</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="281" />
            <source>Previous product</source>
            <translation>Vorheriges Produkt</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="282" />
            <source>Loupe or grid</source>
            <translation>Lupe oder Raster</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="283" />
            <source>&amp;Help</source>
            <translation>&amp;Hilfe</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="496" />
            <source>Add product folders</source>
            <translation>Produktordner hinzufügen</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="545" />
            <source>Models failed to load; browsing still works. See the status bar.</source>
            <translation>Die Modelle konnten nicht geladen werden; Blättern funktioniert weiter. Siehe Statusleiste.</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="551" />
            <source>Downloading model weights…</source>
            <translation>Modellgewichte werden heruntergeladen …</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="551" />
            <source>Hide</source>
            <translation>Ausblenden</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="552" />
            <source>First run: downloading models</source>
            <translation>Erster Start: Modelle werden heruntergeladen</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="600" />
            <source>Settings saved. The new model is not in use yet: re-index with it on the Models page, then promote it</source>
            <translation>Einstellungen gespeichert. Das neue Modell ist noch nicht in Gebrauch: auf der Seite „Modelle“ damit neu indexieren und es dann übernehmen</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="603" />
            <source>Settings saved</source>
            <translation>Einstellungen gespeichert</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="626" />
            <source>Open a catalog folder</source>
            <translation>Einen Katalogordner öffnen</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="647" />
            <source>No other catalogs yet</source>
            <translation>Noch keine anderen Kataloge</translation>
        </message>
        <message>
            <location filename="../../app/views/main_window.py" line="660" />
            <source>%1 opens the next time Catalog Curator starts</source>
            <translation>%1 wird beim nächsten Start von Catalog Curator geöffnet</translation>
        </message>
    </context>
    <context>
        <name>ModelStatus</name>
        <message>
            <location filename="../../app/views/model_status.py" line="16" />
            <source>Trust these detector weights?</source>
            <translation>Diesen Detektorgewichten vertrauen?</translation>
        </message>
        <message>
            <location filename="../../app/views/model_status.py" line="17" />
            <source>Loading %1 runs code stored inside it (it is a pickled PyTorch file). Trust it on this computer only if you know where it came from.</source>
            <translation>Beim Laden von %1 wird darin gespeicherter Code ausgeführt (eine gepickelte PyTorch-Datei). Vertrauen Sie ihr auf diesem Computer nur, wenn Sie wissen, woher sie stammt.</translation>
        </message>
        <message>
            <location filename="../../app/views/model_status.py" line="26" />
            <source>Loading models…</source>
            <translation>Modelle werden geladen …</translation>
        </message>
        <message>
            <location filename="../../app/views/model_status.py" line="27" />
            <source>The window works while the models load in the background.</source>
            <translation>Das Fenster ist bedienbar, während die Modelle im Hintergrund laden.</translation>
        </message>
        <message>
            <location filename="../../app/views/model_status.py" line="35" />
            <source>detector weights not trusted (choose them in Settings → Models to trust them)</source>
            <translation>Detektorgewichten wird nicht vertraut (unter Einstellungen → Modelle wählen, um ihnen zu vertrauen)</translation>
        </message>
        <message>
            <location filename="../../app/views/model_status.py" line="39" />
            <source>unknown error</source>
            <translation>unbekannter Fehler</translation>
        </message>
        <message>
            <location filename="../../app/views/model_status.py" line="40" />
            <source>Models failed to load</source>
            <translation>Modelle konnten nicht geladen werden</translation>
        </message>
        <message>
            <location filename="../../app/views/model_status.py" line="40" />
            <source>Search unavailable</source>
            <translation>Suche nicht verfügbar</translation>
        </message>
        <message>
            <location filename="../../app/views/model_status.py" line="43" />
            <source>Text search: words + meaning</source>
            <translation>Textsuche: Wörter + Bedeutung</translation>
        </message>
        <message>
            <location filename="../../app/views/model_status.py" line="44" />
            <source>Text search: words</source>
            <translation>Textsuche: Wörter</translation>
        </message>
        <message>
            <location filename="../../app/views/model_status.py" line="45" />
            <source>Embedder: %1 %2 (%3) on %4</source>
            <translation>Einbettungsmodell: %1 %2 (%3) auf %4</translation>
        </message>
        <message>
            <location filename="../../app/views/model_status.py" line="50" />
            <source>Detector: %1</source>
            <translation>Detektor: %1</translation>
        </message>
        <message>
            <location filename="../../app/views/model_status.py" line="52" />
            <source>No detector: crops come from the plain-background fallback</source>
            <translation>Kein Detektor: Ausschnitte kommen aus der Freisteller-Rückfallebene</translation>
        </message>
        <message>
            <location filename="../../app/views/model_status.py" line="55" />
            <source>Text search matches words (SKU, title, category, attributes); searching by meaning needs a CLIP model: %1</source>
            <translation>Die Textsuche findet Wörter (Artikelnummer, Titel, Kategorie, Attribute); die Suche nach Bedeutung braucht ein CLIP-Modell: %1</translation>
        </message>
        <message>
            <location filename="../../app/views/model_status.py" line="57" />
            <source>no CLIP weights</source>
            <translation>keine CLIP-Gewichte</translation>
        </message>
    </context>
    <context>
        <name>NotIndexedBanner</name>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="367" />
            <source>Index now</source>
            <translation>Jetzt indexieren</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="375" />
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
            <location filename="../../app/views/tiles.py" line="129" />
            <source>no image</source>
            <translation>kein Bild</translation>
        </message>
    </context>
    <context>
        <name>ProductDetail</name>
        <message>
            <location filename="../../app/views/product_detail.py" line="48" />
            <source>Select a product</source>
            <translation>Ein Produkt auswählen</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="49" />
            <source>No image</source>
            <translation>Kein Bild</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="50" />
            <source>Product photo</source>
            <translation>Produktfoto</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="51" />
            <source>Click to search for products similar to this image; E opens the loupe</source>
            <translation>Klicken, um ähnliche Produkte zu suchen; E öffnet die Lupe</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="59" />
            <source>Views of this product</source>
            <translation>Ansichten dieses Produkts</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="61" />
            <source>Search similar</source>
            <translation>Ähnliche suchen</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="70" />
            <source>When</source>
            <translation>Wann</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="70" />
            <source>What</source>
            <translation>Was</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="70" />
            <location filename="../../app/views/product_detail.py" line="82" />
            <source>Details</source>
            <translation>Details</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="71" />
            <location filename="../../app/views/product_detail.py" line="84" />
            <source>History</source>
            <translation>Verlauf</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="72" />
            <location filename="../../app/views/product_detail.py" line="83" />
            <source>Labels</source>
            <translation>Labels</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="92" />
            <location filename="../../app/views/product_detail.py" line="181" />
            <source>Review</source>
            <translation>Prüfung</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="95" />
            <source>Product information</source>
            <translation>Produktinformationen</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="178" />
            <source>SKU</source>
            <translation>Artikelnummer</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="178" />
            <source>Title</source>
            <translation>Titel</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="179" />
            <source>Category</source>
            <translation>Kategorie</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="180" />
            <source>Price</source>
            <translation>Preis</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="181" />
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="182" />
            <source>Folder</source>
            <translation>Ordner</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="182" />
            <source>Images</source>
            <translation>Bilder</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="185" />
            <source>Description</source>
            <translation>Beschreibung</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="192" />
            <source>%1:</source>
            <translation>%1:</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="199" />
            <source>No labels yet — they come with indexing.</source>
            <translation>Noch keine Labels – sie entstehen beim Indexieren.</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="208" />
            <source>Imported</source>
            <translation>Importiert</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="208" />
            <source>not indexed yet</source>
            <translation>noch nicht indexiert</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="218" />
            <source>Unreadable image: %1</source>
            <translation>Unlesbares Bild: %1</translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="219" />
            <source>unknown reason</source>
            <translation>unbekannter Grund</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/product_detail.py" line="226" />
            <source>%n crops</source>
            <translation>
                <numerusform>%n Ausschnitt</numerusform>
                <numerusform>%n Ausschnitte</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/product_detail.py" line="227" />
            <source>(%n rejected)</source>
            <translation>
                <numerusform>(%n verworfen)</numerusform>
                <numerusform>(%n verworfen)</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/product_detail.py" line="245" />
            <source>Preview</source>
            <translation>Vorschau</translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message>
            <location filename="../../app/views/settings_dialog.py" line="80" />
            <source>Appearance</source>
            <translation>Darstellung</translation>
        </message>
        <message>
            <location filename="../../app/views/settings_dialog.py" line="337" />
            <source>Theme</source>
            <translation>Design</translation>
        </message>
        <message>
            <location filename="../../app/views/settings_dialog.py" line="338" />
            <source>Follow the system</source>
            <translation>Wie das System</translation>
        </message>
        <message>
            <location filename="../../app/views/settings_dialog.py" line="338" />
            <source>Light</source>
            <translation>Hell</translation>
        </message>
        <message>
            <location filename="../../app/views/settings_dialog.py" line="339" />
            <source>Dark</source>
            <translation>Dunkel</translation>
        </message>
        <message>
            <location filename="../../app/views/settings_dialog.py" line="343" />
            <source>Language</source>
            <translation>Sprache</translation>
        </message>
        <message>
            <location filename="../../app/views/settings_dialog.py" line="347" />
            <source>The theme changes at once; a new language from the next start.</source>
            <translation>Das Design wechselt sofort, eine neue Sprache ab dem nächsten Start.</translation>
        </message>
        <message>
            <location filename="../../app/views/settings_dialog.py" line="351" />
            <source>Theme:</source>
            <translation>Design:</translation>
        </message>
        <message>
            <location filename="../../app/views/settings_dialog.py" line="352" />
            <source>Language:</source>
            <translation>Sprache:</translation>
        </message>
    </context>
    <context>
        <name>ShortcutSheet</name>
        <message>
            <location filename="../../app/views/shortcut_sheet.py" line="40" />
            <location filename="../../app/views/shortcut_sheet.py" line="41" />
            <location filename="../../app/views/shortcut_sheet.py" line="69" />
            <source>Keyboard shortcuts</source>
            <translation>Tastenkürzel</translation>
        </message>
        <message>
            <location filename="../../app/views/shortcut_sheet.py" line="43" />
            <source>Move between products in the grid</source>
            <translation>Im Raster zwischen Produkten wechseln</translation>
        </message>
        <message>
            <location filename="../../app/views/shortcut_sheet.py" line="44" />
            <source>Double-click, Enter</source>
            <translation>Doppelklick, Eingabe</translation>
        </message>
        <message>
            <location filename="../../app/views/shortcut_sheet.py" line="44" />
            <source>Open the product in the loupe</source>
            <translation>Das Produkt in der Lupe öffnen</translation>
        </message>
        <message>
            <location filename="../../app/views/shortcut_sheet.py" line="45" />
            <source>In the loupe: the product's other views</source>
            <translation>In der Lupe: die anderen Ansichten des Produkts</translation>
        </message>
        <message>
            <location filename="../../app/views/shortcut_sheet.py" line="46" />
            <source>Leave the loupe, a field or a dialog</source>
            <translation>Lupe, Feld oder Dialog verlassen</translation>
        </message>
        <message>
            <location filename="../../app/views/shortcut_sheet.py" line="47" />
            <source>Move the focus to the next or previous control</source>
            <translation>Den Fokus zum nächsten oder vorigen Bedienelement bewegen</translation>
        </message>
        <message>
            <location filename="../../app/views/shortcut_sheet.py" line="48" />
            <source>Review canvas: approve, flag</source>
            <translation>Prüfansicht: freigeben, markieren</translation>
        </message>
        <message>
            <location filename="../../app/views/shortcut_sheet.py" line="49" />
            <source>Review canvas: make the selected box the product's</source>
            <translation>Prüfansicht: den gewählten Rahmen zum Produktrahmen machen</translation>
        </message>
        <message>
            <location filename="../../app/views/shortcut_sheet.py" line="50" />
            <source>Review canvas: add a label (Esc returns to the canvas)</source>
            <translation>Prüfansicht: ein Label hinzufügen (Esc kehrt zur Ansicht zurück)</translation>
        </message>
        <message>
            <location filename="../../app/views/shortcut_sheet.py" line="51" />
            <source>This sheet</source>
            <translation>Diese Übersicht</translation>
        </message>
        <message>
            <location filename="../../app/views/shortcut_sheet.py" line="55" />
            <source>Shortcuts</source>
            <translation>Tastenkürzel</translation>
        </message>
        <message>
            <location filename="../../app/views/shortcut_sheet.py" line="56" />
            <source>Keys</source>
            <translation>Tasten</translation>
        </message>
        <message>
            <location filename="../../app/views/shortcut_sheet.py" line="56" />
            <source>What they do</source>
            <translation>Wirkung</translation>
        </message>
    </context>
    <context>
        <name>SyncBadge</name>
        <message>
            <location filename="../../app/views/sync_status.py" line="63" />
            <source>Sync: …</source>
            <translation>Synchronisierung: …</translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="72" />
            <source>Click for details</source>
            <translation>Klicken für Details</translation>
        </message>
    </context>
    <context>
        <name>SyncPanel</name>
        <message>
            <location filename="../../app/views/sync_status.py" line="92" />
            <location filename="../../app/views/sync_status.py" line="116" />
            <source>Sync now</source>
            <translation>Jetzt synchronisieren</translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="93" />
            <source>Send pending corrections and fetch other curators' (Ctrl+Shift+S)</source>
            <translation>Wartende Korrekturen senden und die anderer Kuratoren abholen (Strg+Umschalt+S)</translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="96" />
            <source>Item</source>
            <translation>Eintrag</translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="96" />
            <source>State</source>
            <translation>Zustand</translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="96" />
            <source>Tries</source>
            <translation>Versuche</translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="96" />
            <source>Reason</source>
            <translation>Grund</translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="99" />
            <source>Waiting to send:</source>
            <translation>Wartet auf Versand:</translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="100" />
            <source>Sent:</source>
            <translation>Gesendet:</translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="101" />
            <source>Last sync:</source>
            <translation>Letzte Synchronisierung:</translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="116" />
            <source>Syncing…</source>
            <translation>Synchronisiere …</translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="126" />
            <source>Sync is off: corrections wait here until S3 is enabled in Settings → Sync.</source>
            <translation>Synchronisierung ist aus: Korrekturen warten hier, bis S3 unter Einstellungen → Synchronisierung eingeschaltet ist.</translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="129" />
            <source>Last run: %1</source>
            <translation>Letzter Lauf: %1</translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="131" />
            <source>Last run: %1 sent, %2 received.</source>
            <translation>Letzter Lauf: %1 gesendet, %2 empfangen.</translation>
        </message>
    </context>
    <context>
        <name>Toast</name>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="394" />
            <source>Dismiss</source>
            <translation>Schließen</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="395" />
            <source>Dismiss the message</source>
            <translation>Die Meldung schließen</translation>
        </message>
    </context>
    <context>
        <name>jobs</name>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="31" />
            <source>estimating time left…</source>
            <translation>Restzeit wird geschätzt …</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="34" />
            <source>about %n h left</source>
            <translation>
                <numerusform>noch etwa %n Stunde</numerusform>
                <numerusform>noch etwa %n Stunden</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="36" />
            <source>about %n min left</source>
            <translation>
                <numerusform>noch etwa %n Minute</numerusform>
                <numerusform>noch etwa %n Minuten</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="37" />
            <source>%n s left</source>
            <translation>
                <numerusform>noch %n Sekunde</numerusform>
                <numerusform>noch %n Sekunden</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="133" />
            <source>Cancel</source>
            <translation>Abbrechen</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="148" />
            <source>Failed: %1</source>
            <translation>Fehlgeschlagen: %1</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="149" />
            <source>unknown error</source>
            <translation>unbekannter Fehler</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="151" />
            <source>%n products imported</source>
            <translation>
                <numerusform>%n Produkt importiert</numerusform>
                <numerusform>%n Produkte importiert</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="152" />
            <source>%n indexed</source>
            <translation>
                <numerusform>%n indexiert</numerusform>
                <numerusform>%n indexiert</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="153" />
            <source>%n unchanged</source>
            <translation>
                <numerusform>%n unverändert</numerusform>
                <numerusform>%n unverändert</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="156" />
            <source>%1 of %2 products went in</source>
            <translation>%1 von %2 Produkten übernommen</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="159" />
            <source>%n products indexed with the new model</source>
            <translation>
                <numerusform>%n Produkt mit dem neuen Modell indexiert</numerusform>
                <numerusform>%n Produkte mit dem neuen Modell indexiert</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="160" />
            <source>; complete: promote it on the Models page</source>
            <translation>; vollständig: auf der Seite „Modelle“ übernehmen</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="162" />
            <source>Cancelled: no detector was saved</source>
            <translation>Abgebrochen: kein Detektor wurde gespeichert</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="166" />
            <source>%1 of %2 products with a scene photo now have a box from %3</source>
            <translation>%1 von %2 Produkten mit Szenenfoto haben jetzt einen Rahmen von %3</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="168" />
            <source>the detector</source>
            <translation>dem Detektor</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="170" />
            <source>%n errors</source>
            <translation>
                <numerusform>%n Fehler</numerusform>
                <numerusform>%n Fehler</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="172" />
            <source>%n warnings</source>
            <translation>
                <numerusform>%n Warnung</numerusform>
                <numerusform>%n Warnungen</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="174" />
            <source>in %1 s</source>
            <translation>in %1 s</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="176" />
            <source>Cancelled: %1</source>
            <translation>Abgebrochen: %1</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="178" />
            <source>Finished with %n errors: </source>
            <translation>
                <numerusform>Mit %n Fehler beendet: </numerusform>
                <numerusform>Mit %n Fehlern beendet: </numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="179" />
            <location filename="../../app/views/jobs_panel.py" line="190" />
            <source>Done: %1</source>
            <translation>Fertig: %1</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="185" />
            <source>finds the product in %1 of held-back scenes vs %2 for %3</source>
            <translation>findet das Produkt in %1 der zurückgehaltenen Szenen, gegenüber %2 für %3</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="187" />
            <source>the current one</source>
            <translation>den aktuellen</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="188" />
            <source>promoted: new photos and searches use it (older scene photos: Models page)</source>
            <translation>übernommen: neue Fotos und Suchen nutzen ihn (ältere Szenenfotos: Seite „Modelle“)</translation>
        </message>
        <message>
            <location filename="../../app/views/jobs_panel.py" line="189" />
            <source>not promoted</source>
            <translation>nicht übernommen</translation>
        </message>
        <message>
            <location filename="../../app/workers/jobs.py" line="29" />
            <source>Index %1</source>
            <translation>%1 indexieren</translation>
        </message>
        <message>
            <location filename="../../app/workers/jobs.py" line="30" />
            <source>Index products not indexed</source>
            <translation>Nicht indexierte Produkte indexieren</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/workers/jobs.py" line="32" />
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
            <location filename="../../app/main.py" line="81" />
            <source>The catalog could not be opened:
{error}</source>
            <translation>Der Katalog konnte nicht geöffnet werden:
{error}</translation>
        </message>
    </context>
    <context>
        <name>sync</name>
        <message>
            <location filename="../../app/views/sync_status.py" line="24" />
            <source>never</source>
            <translation>nie</translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="33" />
            <source>Syncing…</source>
            <translation>Synchronisiere …</translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="35" />
            <source>Sync: %1 pending, %2 failed</source>
            <translation>Synchronisierung: %1 wartend, %2 fehlgeschlagen</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/sync_status.py" line="38" />
            <source>Sync: %n remote items quarantined</source>
            <translation>
                <numerusform>Synchronisierung: %n entfernter Eintrag in Quarantäne</numerusform>
                <numerusform>Synchronisierung: %n entfernte Einträge in Quarantäne</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="40" />
            <source>Sync off</source>
            <translation>Synchronisierung aus</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/sync_status.py" line="42" />
            <source>Sync: %n pending</source>
            <translation>
                <numerusform>Synchronisierung: %n wartend</numerusform>
                <numerusform>Synchronisierung: %n wartend</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="42" />
            <source>Sync: up to date</source>
            <translation>Synchronisierung: aktuell</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/sync_status.py" line="44" />
            <source>%n changes waiting to be sent</source>
            <translation>
                <numerusform>%n Änderung wartet auf Versand</numerusform>
                <numerusform>%n Änderungen warten auf Versand</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/sync_status.py" line="45" />
            <source>%n failed</source>
            <translation>
                <numerusform>%n fehlgeschlagen</numerusform>
                <numerusform>%n fehlgeschlagen</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="46" />
            <source>Last sync: %1</source>
            <translation>Letzte Synchronisierung: %1</translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/sync_status.py" line="48" />
            <source>%n remote items could not be read or verified and were set aside; the rest synced</source>
            <translation>
                <numerusform>%n entfernter Eintrag konnte nicht gelesen oder geprüft werden und wurde beiseitegelegt; der Rest wurde synchronisiert</numerusform>
                <numerusform>%n entfernte Einträge konnten nicht gelesen oder geprüft werden und wurden beiseitegelegt; der Rest wurde synchronisiert</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../app/views/sync_status.py" line="51" />
            <source>Last run: %1</source>
            <translation>Letzter Lauf: %1</translation>
        </message>
    </context>
</TS>
