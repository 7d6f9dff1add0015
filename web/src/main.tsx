import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import './ui/styles.css'
import { App } from './app/App'
import { initPreferences } from './app/preferences'
import { boot } from './app/session'
import { initTitle, initToastCleanup } from './features/notifications/Toasts'
import { initDrafts } from './features/messages/drafts'

initPreferences()
initTitle()
initToastCleanup()
initDrafts()
void boot()

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
