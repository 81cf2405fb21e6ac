<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_GB">
    <context>
        <name>AlarmBadge</name>
        <message numerus="yes">
            <location filename="../../app/views/health_view.py" line="146" />
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
            <location filename="../../app/views/analytics_view.py" line="32" />
            <source>Last %n days</source>
            <translation>
                <numerusform>Last day</numerusform>
                <numerusform>Last %n days</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/analytics_view.py" line="105" />
            <source>%n queries</source>
            <translation>
                <numerusform>%n query</numerusform>
                <numerusform>%n queries</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/analytics_view.py" line="108" />
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
            <location filename="../../app/views/batch_bar.py" line="21" />
            <source>Delete %n products</source>
            <translation>
                <numerusform>Delete %n product</numerusform>
                <numerusform>Delete %n products</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="40" />
            <source>%n products</source>
            <translation>
                <numerusform>%n product</numerusform>
                <numerusform>%n products</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="87" />
            <source>%n selected</source>
            <translation>
                <numerusform>%n selected</numerusform>
                <numerusform>%n selected</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="88" />
            <source>Approve the %n selected products (Ctrl+Z undoes)</source>
            <translation>
                <numerusform>Approve the selected product (Ctrl+Z undoes)</numerusform>
                <numerusform>Approve the %n selected products (Ctrl+Z undoes)</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="89" />
            <source>Flag the %n selected products (Ctrl+Z undoes)</source>
            <translation>
                <numerusform>Flag the selected product (Ctrl+Z undoes)</numerusform>
                <numerusform>Flag the %n selected products (Ctrl+Z undoes)</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="90" />
            <source>Delete the %n selected products (Ctrl+Z undoes)</source>
            <translation>
                <numerusform>Delete the selected product (Ctrl+Z undoes)</numerusform>
                <numerusform>Delete the %n selected products (Ctrl+Z undoes)</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="114" />
            <source>Approved %n products — Ctrl+Z undoes all of them</source>
            <translation>
                <numerusform>Approved %n product — Ctrl+Z undoes it</numerusform>
                <numerusform>Approved %n products — Ctrl+Z undoes all of them</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="115" />
            <source>Flagged %n products — Ctrl+Z undoes all of them</source>
            <translation>
                <numerusform>Flagged %n product — Ctrl+Z undoes it</numerusform>
                <numerusform>Flagged %n products — Ctrl+Z undoes all of them</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="127" />
            <source>Label “%1” added to %n products — Ctrl+Z undoes</source>
            <translation>
                <numerusform>Label “%1” added to %n product — Ctrl+Z undoes</numerusform>
                <numerusform>Label “%1” added to %n products — Ctrl+Z undoes</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/batch_bar.py" line="134" />
            <source>Re-indexing %n products — progress below</source>
            <translation>
                <numerusform>Re-indexing %n product — progress below</numerusform>
                <numerusform>Re-indexing %n products — progress below</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>CatalogGrid</name>
        <message numerus="yes">
            <location filename="../../app/views/catalog_grid.py" line="275" />
            <source>%n products</source>
            <translation>
                <numerusform>%n product</numerusform>
                <numerusform>%n products</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>DuplicatesView</name>
        <message numerus="yes">
            <location filename="../../app/views/duplicates_view.py" line="39" />
            <source>%n exact copies</source>
            <translation>
                <numerusform>%n exact copy</numerusform>
                <numerusform>%n exact copies</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/duplicates_view.py" line="40" />
            <source>%n near duplicates</source>
            <translation>
                <numerusform>%n near duplicate</numerusform>
                <numerusform>%n near duplicates</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/duplicates_view.py" line="41" />
            <source>%n colour variants</source>
            <translation>
                <numerusform>%n colour variant</numerusform>
                <numerusform>%n colour variants</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>ExportDialog</name>
        <message numerus="yes">
            <location filename="../../app/views/export_dialog.py" line="161" />
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
            <location filename="../../app/views/filter_completer.py" line="69" />
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
            <location filename="../../app/views/health_view.py" line="355" />
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
            <location filename="../../app/views/jobs_panel.py" line="329" />
            <source>%n jobs</source>
            <translation>
                <numerusform>%n job</numerusform>
                <numerusform>%n jobs</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>NotIndexedBanner</name>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="375" />
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
            <location filename="../../app/views/product_detail.py" line="226" />
            <source>%n crops</source>
            <translation>
                <numerusform>%n crop</numerusform>
                <numerusform>%n crops</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/product_detail.py" line="227" />
            <source>(%n rejected)</source>
            <translation>
                <numerusform>(%n rejected)</numerusform>
                <numerusform>(%n rejected)</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>jobs</name>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="34" />
            <source>about %n h left</source>
            <translation>
                <numerusform>about %n h left</numerusform>
                <numerusform>about %n h left</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="36" />
            <source>about %n min left</source>
            <translation>
                <numerusform>about %n min left</numerusform>
                <numerusform>about %n min left</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="37" />
            <source>%n s left</source>
            <translation>
                <numerusform>%n s left</numerusform>
                <numerusform>%n s left</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="151" />
            <source>%n products imported</source>
            <translation>
                <numerusform>%n product imported</numerusform>
                <numerusform>%n products imported</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="152" />
            <source>%n indexed</source>
            <translation>
                <numerusform>%n indexed</numerusform>
                <numerusform>%n indexed</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="153" />
            <source>%n unchanged</source>
            <translation>
                <numerusform>%n unchanged</numerusform>
                <numerusform>%n unchanged</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="159" />
            <source>%n products indexed with the new model</source>
            <translation>
                <numerusform>%n product indexed with the new model</numerusform>
                <numerusform>%n products indexed with the new model</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="170" />
            <source>%n errors</source>
            <translation>
                <numerusform>%n error</numerusform>
                <numerusform>%n errors</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="172" />
            <source>%n warnings</source>
            <translation>
                <numerusform>%n warning</numerusform>
                <numerusform>%n warnings</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/jobs_panel.py" line="178" />
            <source>Finished with %n errors: </source>
            <translation>
                <numerusform>Finished with %n error: </numerusform>
                <numerusform>Finished with %n errors: </numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/workers/jobs.py" line="32" />
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
            <location filename="../../app/views/sync_status.py" line="38" />
            <source>Sync: %n remote items quarantined</source>
            <translation>
                <numerusform>Sync: %n remote item quarantined</numerusform>
                <numerusform>Sync: %n remote items quarantined</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/sync_status.py" line="42" />
            <source>Sync: %n pending</source>
            <translation>
                <numerusform>Sync: %n pending</numerusform>
                <numerusform>Sync: %n pending</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/sync_status.py" line="44" />
            <source>%n changes waiting to be sent</source>
            <translation>
                <numerusform>%n change waiting to be sent</numerusform>
                <numerusform>%n changes waiting to be sent</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/sync_status.py" line="45" />
            <source>%n failed</source>
            <translation>
                <numerusform>%n failed</numerusform>
                <numerusform>%n failed</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../app/views/sync_status.py" line="48" />
            <source>%n remote items could not be read or verified and were set aside; the rest synced</source>
            <translation>
                <numerusform>%n remote item could not be read or verified and was set aside; the rest synced</numerusform>
                <numerusform>%n remote items could not be read or verified and were set aside; the rest synced</numerusform>
            </translation>
        </message>
    </context>
</TS>
