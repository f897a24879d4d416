// Settings: the signed-in user's automation settings and the open sessions of their keys.
import { AutomationSection } from './automation-section';
import { SessionsSection } from './sessions-section';

export function SettingsPage() {
  return (
    <>
      <h1>Settings</h1>
      <AutomationSection />
      <SessionsSection />
    </>
  );
}
