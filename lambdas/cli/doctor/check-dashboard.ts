import { DASHBOARD_URL_OUTPUT } from '../../core/deployment-names.js';
import { fail, pass, type CheckResult, type DoctorContext } from './model.js';

/** Links the stack's CloudWatch dashboard (its DashboardUrl output); a stack deployed before it has none. */
export async function checkDashboard(ctx: DoctorContext): Promise<CheckResult[]> {
  const url = ctx.stack.outputs?.[DASHBOARD_URL_OUTPUT];
  if (url) return [pass('dashboard', url)];
  return [
    fail(
      'dashboard',
      `stack ${ctx.stack.name} has no ${DASHBOARD_URL_OUTPUT} output (deployed before the dashboard)`,
      [`redeploy to add the dashboard: ${ctx.deployCommand}`],
    ),
  ];
}
