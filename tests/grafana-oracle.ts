/**
 * The dashboards as the Grafana Foundation SDK's builders write them: the oracle that
 * observability/dashboards.specs.ts's JSON is compared with (tests/dashboards.test.ts). The program
 * writes the JSON model itself, typed by the SDK's types, so that a start does not load the SDK's
 * ~220 modules (docs/performance.md); this keeps it the SDK's model, default for default.
 */
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as logs from "@grafana/grafana-foundation-sdk/logs";
import * as loki from "@grafana/grafana-foundation-sdk/loki";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import type { DashboardSpec, PanelSpec } from "../observability/dashboards.specs";

const datasource = { type: "prometheus", uid: "${datasource}" };

const lokiDatasource = { type: "loki", uid: "loki" };

function logsPanelBuilder(panel: PanelSpec, id: number, gridPos: { x: number; y: number; w: number; h: number }) {
    const builder = new logs.PanelBuilder().id(id).title(panel.title).description(panel.description).datasource(lokiDatasource).gridPos(gridPos);
    builder.showTime(true).wrapLogMessage(true).enableLogDetails(true).sortOrder(common.LogsSortOrder.Descending).dedupStrategy(common.LogsDedupStrategy.None);
    panel.queries.forEach((query, i) => builder.withTarget(new loki.DataqueryBuilder().expr(query.expr).refId(String.fromCharCode(65 + i)).datasource(lokiDatasource)));
    return builder;
}

function panelBuilder(panel: PanelSpec, id: number, gridPos: { x: number; y: number; w: number; h: number }) {
    if (panel.kind === "logs") return logsPanelBuilder(panel, id, gridPos);
    const legend = () => new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).calcs([]);
    const builder = panel.kind === "stat" ? new stat.PanelBuilder() : new timeseries.PanelBuilder().legend(legend());
    builder.id(id).title(panel.title).description(panel.description).unit(panel.unit).datasource(datasource).gridPos(gridPos);
    panel.queries.forEach((query, i) => builder.withTarget(new prometheus.DataqueryBuilder().expr(query.expr).legendFormat(query.legend).refId(String.fromCharCode(65 + i)).datasource(datasource)));
    return builder;
}

type Placed = { id?: number; gridPos?: { x: number; y: number; w: number; h: number } };

/**
 * The dashboard the SDK's builders write for `spec`, with each row and panel at the id and grid
 * position the program's JSON gives it (`placed`, its `panels` in order): the layout is the
 * program's, tested on its own; everything else, field for field, is the SDK's.
 */
export function sdkDashboard(spec: DashboardSpec, placed: readonly Placed[]): dashboard.Dashboard {
    const built = new dashboard.DashboardBuilder(spec.title)
        .uid(spec.uid)
        .tags([...spec.tags])
        .editable()
        .tooltip(dashboard.DashboardCursorSync.Crosshair)
        .refresh("1m")
        .time({ from: "now-6h", to: "now" })
        .timezone("browser")
        .withVariable(new dashboard.DatasourceVariableBuilder("datasource").label("Prometheus").type("prometheus"));
    const at = [...placed];
    const next = () => {
        const p = at.shift();
        if (!p?.id || !p.gridPos) throw new Error(`${spec.title}: the program's JSON has fewer placed panels than the spec has rows and panels`);
        return { id: p.id, gridPos: p.gridPos };
    };
    for (const row of spec.rows) {
        const { id, gridPos } = next();
        built.withRow(new dashboard.RowBuilder(row.title).id(id).gridPos(gridPos));
        for (const panel of row.panels) {
            const { id, gridPos } = next();
            built.withPanel(panelBuilder(panel, id, gridPos));
        }
    }
    return built.build();
}
