// Wire types of the Parley contract (see /shared/CONTRACT.md). Names match the wire exactly.

export interface Envelope<T> {
  statusCode: number
  message: string
  data?: T
  error?: string
}

export interface TokenPair {
  userID: number
  accessToken: string
  refreshToken: string
}

export interface Message {
  messageID: number
  senderID: number
  receiverID: number
  message: string
  createdAt: string
  updatedAt: string
  isUpdated: boolean
  isReaded: boolean
  clientMessageID?: string
}

export interface Dialog {
  receiverID: number
  receiverName: string
  lastMessage: string
  createdAt: string
  newMessagesCount: number
  connectionStatus: 'online' | 'offline'
}

export interface UserHit {
  id: number
  name: string
}

export interface Me {
  id: number
  name: string
  email: string
  bio: string | null
}

export interface Session {
  sessionID: string | number
  os: string
  browser: string
  ip: string
  createdAt: string
  lastUsedAt: string
  current: boolean
  online?: boolean
}

export interface PublicConfig {
  socketUrl?: string
  /** false: a new account can sign in at once (no emailed link) */
  requireEmailConfirmation?: boolean
  [key: string]: unknown
}

export interface Ack<T> {
  statusCode: number
  message: string
  data?: T
}

export interface MessageDeleted {
  messageID: number
  senderID: number
  receiverID: number
}

export interface Device {
  os: string
  browser: string
}
