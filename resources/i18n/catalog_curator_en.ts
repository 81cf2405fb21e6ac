<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_GB">
<context>
    <name>AlarmBadge</name>
    <message numerus="yes">
        <location filename="../../app/views/health_view.py" line="147"/>
        <source>%n drift alarms</source>
        <translation>
            <numerusform>%n drift alarm</numerusform>
            <numerusform>%n drift alarms</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>AnalyticsView</name>
    <message numerus="yes">
        <location filename="../../app/views/analytics_view.py" line="32"/>
        <source>Last %n days</source>
        <translation>
            <numerusform>Last day</numerusform>
            <numerusform>Last %n days</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/analytics_view.py" line="106"/>
        <source>%n queries</source>
        <translation>
            <numerusform>%n query</numerusform>
            <numerusform>%n queries</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/analytics_view.py" line="109"/>
        <source>%n clicks</source>
        <translation>
            <numerusform>%n click</numerusform>
            <numerusform>%n clicks</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>BatchBar</name>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="21"/>
        <source>Delete %n products</source>
        <translation>
            <numerusform>Delete %n product</numerusform>
            <numerusform>Delete %n products</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="40"/>
        <source>%n products</source>
        <translation>
            <numerusform>%n product</numerusform>
            <numerusform>%n products</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="95"/>
        <source>%n selected</source>
        <translation>
            <numerusform>%n selected</numerusform>
            <numerusform>%n selected</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="96"/>
        <source>Approve the %n selected products (Ctrl+Z undoes)</source>
        <translation>
            <numerusform>Approve the selected product (Ctrl+Z undoes)</numerusform>
            <numerusform>Approve the %n selected products (Ctrl+Z undoes)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="97"/>
        <source>Flag the %n selected products (Ctrl+Z undoes)</source>
        <translation>
            <numerusform>Flag the selected product (Ctrl+Z undoes)</numerusform>
            <numerusform>Flag the %n selected products (Ctrl+Z undoes)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="98"/>
        <source>Delete the %n selected products (Ctrl+Z undoes)</source>
        <translation>
            <numerusform>Delete the selected product (Ctrl+Z undoes)</numerusform>
            <numerusform>Delete the %n selected products (Ctrl+Z undoes)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="122"/>
        <source>Approved %n products — Ctrl+Z undoes all of them</source>
        <translation>
            <numerusform>Approved %n product — Ctrl+Z undoes it</numerusform>
            <numerusform>Approved %n products — Ctrl+Z undoes all of them</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="123"/>
        <source>Flagged %n products — Ctrl+Z undoes all of them</source>
        <translation>
            <numerusform>Flagged %n product — Ctrl+Z undoes it</numerusform>
            <numerusform>Flagged %n products — Ctrl+Z undoes all of them</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="135"/>
        <source>Label “%1” added to %n products — Ctrl+Z undoes</source>
        <translation>
            <numerusform>Label “%1” added to %n product — Ctrl+Z undoes</numerusform>
            <numerusform>Label “%1” added to %n products — Ctrl+Z undoes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/batch_bar.py" line="142"/>
        <source>Re-indexing %n products — progress below</source>
        <translation>
            <numerusform>Re-indexing %n product — progress below</numerusform>
            <numerusform>Re-indexing %n products — progress below</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>BatchEditDialog</name>
    <message numerus="yes">
        <location filename="../../app/views/batch_edit.py" line="37"/>
        <location filename="../../app/views/batch_edit.py" line="187"/>
        <source>Edit fields of %n product(s)</source>
        <translation>
            <numerusform>Edit fields of %n product</numerusform>
            <numerusform>Edit fields of %n products</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CatalogGrid</name>
    <message numerus="yes">
        <location filename="../../app/views/catalog_grid.py" line="295"/>
        <source>%n designs and products</source>
        <translation>
            <numerusform>%n design or product</numerusform>
            <numerusform>%n designs and products</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/catalog_grid.py" line="297"/>
        <source>%n products</source>
        <translation>
            <numerusform>%n product</numerusform>
            <numerusform>%n products</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CollectionsSidebar</name>
    <message numerus="yes">
        <location filename="../../app/views/collections_sidebar.py" line="123"/>
        <source>Added %n product(s) to {0}</source>
        <translation>
            <numerusform>Added %n product to {0}</numerusform>
            <numerusform>Added %n products to {0}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/collections_sidebar.py" line="131"/>
        <source>Took %n product(s) out of {0}</source>
        <translation>
            <numerusform>Took %n product out of {0}</numerusform>
            <numerusform>Took %n products out of {0}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DuplicatesView</name>
    <message numerus="yes">
        <location filename="../../app/views/duplicates_view.py" line="51"/>
        <source>%n exact copies</source>
        <translation>
            <numerusform>%n exact copy</numerusform>
            <numerusform>%n exact copies</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/duplicates_view.py" line="52"/>
        <source>%n near duplicates</source>
        <translation>
            <numerusform>%n near duplicate</numerusform>
            <numerusform>%n near duplicates</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/duplicates_view.py" line="53"/>
        <source>%n design suggestions</source>
        <translation>
            <numerusform>%n design suggestion</numerusform>
            <numerusform>%n design suggestions</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message numerus="yes">
        <location filename="../../app/views/export_dialog.py" line="162"/>
        <source>Wrote %n products: %1</source>
        <translation>
            <numerusform>Wrote %n product: %1</numerusform>
            <numerusform>Wrote %n products: %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FilterCompleter</name>
    <message numerus="yes">
        <location filename="../../app/views/filter_completer.py" line="69"/>
        <source>%n values</source>
        <translation>
            <numerusform>%n value</numerusform>
            <numerusform>%n values</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HealthView</name>
    <message numerus="yes">
        <location filename="../../app/views/health_view.py" line="356"/>
        <source>%n drift alarms acknowledged</source>
        <translation>
            <numerusform>%n drift alarm acknowledged</numerusform>
            <numerusform>%n drift alarms acknowledged</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>JobStrip</name>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="334"/>
        <source>%n jobs</source>
        <translation>
            <numerusform>%n job</numerusform>
            <numerusform>%n jobs</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MemberCard</name>
    <message numerus="yes">
        <location filename="../../app/views/duplicates_view.py" line="217"/>
        <source>%n photo(s)</source>
        <translation>
            <numerusform>%n photo</numerusform>
            <numerusform>%n photos</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>NotIndexedBanner</name>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="380"/>
        <source>%n products not indexed — they are not found by search yet.</source>
        <translation>
            <numerusform>%n product not indexed — search does not find it yet.</numerusform>
            <numerusform>%n products not indexed — they are not found by search yet.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ProductDetail</name>
    <message numerus="yes">
        <location filename="../../app/views/product_detail.py" line="358"/>
        <source>%n crops</source>
        <translation>
            <numerusform>%n crop</numerusform>
            <numerusform>%n crops</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/product_detail.py" line="359"/>
        <source>(%n rejected)</source>
        <translation>
            <numerusform>(%n rejected)</numerusform>
            <numerusform>(%n rejected)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ShopExportDialog</name>
    <message numerus="yes">
        <location filename="../../app/views/shop_dialogs.py" line="228"/>
        <source>… and %n more note(s)</source>
        <translation>
            <numerusform>… and %n more note</numerusform>
            <numerusform>… and %n more notes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>jobs</name>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="34"/>
        <source>about %n h left</source>
        <translation>
            <numerusform>about %n h left</numerusform>
            <numerusform>about %n h left</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="36"/>
        <source>about %n min left</source>
        <translation>
            <numerusform>about %n min left</numerusform>
            <numerusform>about %n min left</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="37"/>
        <source>%n s left</source>
        <translation>
            <numerusform>%n s left</numerusform>
            <numerusform>%n s left</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="151"/>
        <source>%n products imported</source>
        <translation>
            <numerusform>%n product imported</numerusform>
            <numerusform>%n products imported</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="152"/>
        <source>%n indexed</source>
        <translation>
            <numerusform>%n indexed</numerusform>
            <numerusform>%n indexed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="153"/>
        <source>%n unchanged</source>
        <translation>
            <numerusform>%n unchanged</numerusform>
            <numerusform>%n unchanged</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="159"/>
        <source>%n products indexed with the new model</source>
        <translation>
            <numerusform>%n product indexed with the new model</numerusform>
            <numerusform>%n products indexed with the new model</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="170"/>
        <source>%n errors</source>
        <translation>
            <numerusform>%n error</numerusform>
            <numerusform>%n errors</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="172"/>
        <source>%n warnings</source>
        <translation>
            <numerusform>%n warning</numerusform>
            <numerusform>%n warnings</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/jobs_panel.py" line="178"/>
        <source>Finished with %n errors: </source>
        <translation>
            <numerusform>Finished with %n error: </numerusform>
            <numerusform>Finished with %n errors: </numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/workers/jobs.py" line="34"/>
        <source>Re-index %n products</source>
        <translation>
            <numerusform>Re-index %n product</numerusform>
            <numerusform>Re-index %n products</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sync</name>
    <message numerus="yes">
        <location filename="../../app/views/sync_status.py" line="46"/>
        <source>Sync: %n remote items quarantined</source>
        <translation>
            <numerusform>Sync: %n remote item quarantined</numerusform>
            <numerusform>Sync: %n remote items quarantined</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/sync_status.py" line="50"/>
        <source>Sync: %n pending</source>
        <translation>
            <numerusform>Sync: %n pending</numerusform>
            <numerusform>Sync: %n pending</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/sync_status.py" line="52"/>
        <source>%n changes waiting to be sent</source>
        <translation>
            <numerusform>%n change waiting to be sent</numerusform>
            <numerusform>%n changes waiting to be sent</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/sync_status.py" line="53"/>
        <source>%n failed</source>
        <translation>
            <numerusform>%n failed</numerusform>
            <numerusform>%n failed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/views/sync_status.py" line="56"/>
        <source>%n remote items could not be read or verified and were set aside; the rest synced</source>
        <translation>
            <numerusform>%n remote item could not be read or verified and was set aside; the rest synced</numerusform>
            <numerusform>%n remote items could not be read or verified and were set aside; the rest synced</numerusform>
        </translation>
    </message>
</context>
</TS>
