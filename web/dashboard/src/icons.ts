// Icons drawn on a 24-unit grid, as path data for svgIcon.
import { svgIcon } from "./dom";

const handset = "M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2z";

const paths = {
  inbox: ["M3 13l3-8h12l3 8", "M3 13v6h18v-6h-5l-2 3h-4l-2-3z"],
  user: ["M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z", "M4 21c1-4 4-6 8-6s7 2 8 6"],
  users: ["M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z", "M2 20c.8-3.5 3.5-5 7-5s6.2 1.5 7 5", "M16 4.5a3.5 3.5 0 0 1 0 6.5", "M18 15c2 .6 3.3 2.2 4 5"],
  question: ["M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z", "M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6v.6", "M12 17h.01"],
  tag: ["M3 12V4h8l10 10-8 8z", "M7.5 8.5h.01"],
  search: ["M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14z", "M20 20l-4-4"],
  bell: ["M6 16V11a6 6 0 1 1 12 0v5l2 2H4z", "M10 20a2 2 0 0 0 4 0"],
  gear: ["M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z", "M19 12l2-1-1-3-2 .2-1.3-1.3L16.9 5 14 4l-1 2h-2L10 4 7.1 5l.2 1.9L6 8.2 4 8 3 11l2 1-2 1 1 3 2-.2 1.3 1.3L7.1 19l2.9 1 1-2h2l1 2 2.9-1-.2-1.9 1.3-1.3 2 .2 1-3z"],
  menu: ["M4 6h16", "M4 12h16", "M4 18h16"],
  more: ["M5 11a1 1 0 1 0 0 2 1 1 0 0 0 0-2z", "M12 11a1 1 0 1 0 0 2 1 1 0 0 0 0-2z", "M19 11a1 1 0 1 0 0 2 1 1 0 0 0 0-2z"],
  back: ["M15 5l-7 7 7 7"],
  close: ["M6 6l12 12", "M18 6L6 18"],
  check: ["M5 12.5l4.5 4.5L19 7.5"],
  checks: ["M2 12.5l4.5 4.5L16 7.5", "M11.5 16.5l.5.5L21.5 7.5"],
  chart: ["M4 20h16", "M7 16v-4", "M12 16V6", "M17 16v-7"],
  calendar: ["M4 6h16v14H4z", "M4 10h16", "M8 3v5", "M16 3v5"],
  clock: ["M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z", "M12 7v5l3 2"],
  alert: ["M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z", "M12 7v6", "M12 16.5h.01"],
  info: ["M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z", "M12 11v6", "M12 7.5h.01"],
  smile: ["M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z", "M8 14c1 1.5 2.3 2 4 2s3-.5 4-2", "M9 9.5h.01", "M15 9.5h.01"],
  send: ["M4 12l16-8-6 16-2.5-6.5z", "M11.5 13.5L20 4"],
  resolve: ["M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z", "M8 12.5l3 3 5-6"],
  snooze: ["M12 21a8 8 0 1 0 0-16 8 8 0 0 0 0 16z", "M10 10h4l-4 5h4", "M4 4l3-1.5", "M20 4l-3-1.5"],
  reopen: ["M4 12a8 8 0 1 0 2.5-5.8", "M4 4v4h4"],
  flag: ["M5 21V4", "M5 4h11l-2 4 2 4H5"],
  logout: ["M14 4h5v16h-5", "M10 8l-4 4 4 4", "M6 12h10"],
  plus: ["M12 5v14", "M5 12h14"],
  // A lightning bolt: a macro, many actions at once.
  bolt: ["M13 3L5 14h6l-1 7 8-11h-6z"],
  up: ["M6 15l6-6 6 6"],
  down: ["M6 9l6 6 6-6"],
  trash: ["M4 7h16", "M9 7V4h6v3", "M6 7l1 13h10l1-13"],
  edit: ["M4 20h4L19 9l-4-4L4 16z"],
  merge: ["M6 3v6a6 6 0 0 0 6 6h6", "M15 12l3 3-3 3", "M6 21v-6"],
  note: ["M5 3h10l4 4v14H5z", "M8 12h8", "M8 16h5"],
  reply: ["M9 7L4 12l5 5", "M4 12h10a6 6 0 0 1 6 6v1"],
  lock: ["M6 11h12v10H6z", "M8.5 11V8a3.5 3.5 0 0 1 7 0v3"],
  link: ["M10 14a4 4 0 0 0 6 0l3-3a4 4 0 0 0-6-6l-1 1", "M14 10a4 4 0 0 0-6 0l-3 3a4 4 0 0 0 6 6l1-1"],
  // A robot's head: the bot that owns a conversation.
  bot: ["M5 8h14v11H5z", "M12 8V4", "M12 4h.01", "M9 13h.01", "M15 13h.01", "M9.5 16.5h5", "M3 12v3", "M21 12v3"],
  sparkle: ["M12 3l1.8 5.2L19 10l-5.2 1.8L12 17l-1.8-5.2L5 10l5.2-1.8z", "M19 16l.7 1.8 1.8.7-1.8.7L19 21l-.7-1.8-1.8-.7 1.8-.7z"],
  paperclip: ["M20 11l-8 8a5 5 0 0 1-7-7l8-8a3.5 3.5 0 0 1 5 5l-8 8a2 2 0 0 1-3-3l7-7"],
  download: ["M12 4v11", "M7 10l5 5 5-5", "M4 19h16"],
  megaphone: ["M3 10v4h3l9 5V5L6 10z", "M18.5 9a4 4 0 0 1 0 6", "M7 14l1.5 6h3L10 15.5"],
  globe: ["M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z", "M3 12h18", "M12 3c2.5 2.5 3.5 5.5 3.5 9s-1 6.5-3.5 9c-2.5-2.5-3.5-5.5-3.5-9s1-6.5 3.5-9z"],
  // A handset, and the handset with a mark in its free corner for each
  // kind of call.
  phone: [handset],
  phoneIn: [handset, "M20.5 3.5L15 9", "M15 5v4h4"],
  phoneOut: [handset, "M15 9l5.5-5.5", "M16.5 3.5h4v4"],
  phoneMissed: [handset, "M14 4l3.5 3.5L21 4", "M18.5 4H21v2.5"],
  phoneBusy: [handset, "M17.5 10.5a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z", "M15.5 7h4"],
  phoneFailed: [handset, "M15 3.5l5 5", "M20 3.5l-5 5"],
  phoneCallback: [handset, "M17.5 10.5a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z", "M17.5 5.3V7l1.2 1"],
  voicemail: ["M6.5 15.5a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z", "M17.5 15.5a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z", "M6.5 15.5h11"],
  // An open book: the knowledge base.
  book: ["M12 6c-2-1.5-5-2-8-1.5v14c3-.5 6 0 8 1.5 2-1.5 5-2 8-1.5v-14c-3-.5-6 0-8 1.5z", "M12 6v14"],
  image: ["M4 5h16v14H4z", "M4 16l5-5 4 4 2-2 5 5", "M15.5 9.5h.01"],
  wifiOff: ["M3 3l18 18", "M8.5 16.5a5 5 0 0 1 7 0", "M5 12.5a10 10 0 0 1 5-2.6", "M14.5 10a10 10 0 0 1 4.5 2.5", "M12 20h.01"],
};

export type IconName = keyof typeof paths;

export function icon(name: IconName, cls = "icon"): SVGSVGElement {
  return svgIcon(paths[name], cls);
}

// Channel marks: simple shapes that tell channels apart at 16 px.
const channelPaths: Record<string, string[]> = {
  api: ["M8 7l-5 5 5 5", "M16 7l5 5-5 5", "M13.5 5l-3 14"],
  web_widget: ["M4 5h16v11H9l-5 4z"],
  widget: ["M4 5h16v11H9l-5 4z"],
  email: ["M3 6h18v12H3z", "M3 7l9 6 9-6"],
  whatsapp: ["M4 20l1.3-4A8.5 8.5 0 1 1 8 18.7z", "M9 9c0 3 2.5 6 6 6l1-1.5-2-1-1 1c-1-.5-2-1.5-2.5-2.5l1-1-1-2z"],
  messenger: ["M12 3a9 8.5 0 0 0-5 15.5V22l3-2a9 8.5 0 1 0 2-17z", "M7 14l3.5-4 2.5 2.5 4-4-3.5 4-2.5-2.5z"],
  instagram: ["M4 4h16v16H4z", "M12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8z", "M16.5 7.5h.01"],
  telegram: ["M3 11.5L21 4l-3 16-6-4.5-3 3v-4.5L18 7 7.5 13.5z"],
  sms: ["M4 5h16v11H9l-5 4z", "M8 10.5h.01", "M12 10.5h.01", "M16 10.5h.01"],
  twilio_sms: ["M4 5h16v11H9l-5 4z", "M8 10.5h.01", "M12 10.5h.01", "M16 10.5h.01"],
  voice: [handset],
  phone: [handset],
  x: ["M4 4l16 16", "M20 4L4 20"],
  twitter: ["M4 4l16 16", "M20 4L4 20"],
};

export function channelIcon(channel: string, cls = "icon channel"): SVGSVGElement {
  return svgIcon(channelPaths[channel] ?? ["M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z"], cls);
}
