/**
 * The map pin island (runs in the browser): Preact around Leaflet. It drops or moves a pin by click, tap or
 * keyboard (arrow keys move the map, Enter or Space drops the pin at the centre), refuses a pin outside the
 * partnership's box, and writes the pin into the where form's hidden `lat` and `lon` fields. Every word it
 * shows comes from its props (MapPin.astro). If no tile loads, it takes itself away and leaves the text route.
 */
import { h, render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { divIcon, map as leafletMap, marker as leafletMarker, tileLayer, type LatLng, type Map as LeafletMap, type Marker } from 'leaflet';
import { isInBounds, type MapSettings } from '../../platform/map.ts';

/** The words the island shows; `dropped` has {lat} and {lon} in it. */
export interface MapPinText {
  label: string;
  hint: string;
  dropped: string;
  removed: string;
  outside: string;
  remove: string;
}

/** What MapPin.astro passes to the island (as JSON in data-map-pin). */
export interface MapPinProps {
  settings: MapSettings;
  text: MapPinText;
}

interface Pin {
  lat: number;
  lon: number;
}

/** Decimal places written into the hidden fields (about 0.1 m). */
const PLACES = 6;

/** The form's hidden lat and lon fields. */
function pinFields(form: HTMLFormElement): { lat: HTMLInputElement; lon: HTMLInputElement } {
  return { lat: form.elements.namedItem('lat') as HTMLInputElement, lon: form.elements.namedItem('lon') as HTMLInputElement };
}

/** The pin already in the form (from the draft), or null when there is none inside the box. */
function readPin(form: HTMLFormElement, settings: MapSettings): Pin | null {
  const f = pinFields(form);
  const lat = Number(f.lat.value);
  const lon = Number(f.lon.value);
  if (!f.lat.value || !f.lon.value || !Number.isFinite(lat) || !Number.isFinite(lon) || !isInBounds(settings.bounds, lat, lon)) return null;
  return { lat, lon };
}

/** Text as HTML (Leaflet writes attributions as HTML; ours is plain text). */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function MapPin({ settings, text, form }: MapPinProps & { form: HTMLFormElement }) {
  const box = useRef<HTMLDivElement>(null);
  const mapRef = useRef<LeafletMap | null>(null);
  const markerRef = useRef<Marker | null>(null);
  const [failed, setFailed] = useState(false);
  const [pinned, setPinned] = useState(() => readPin(form, settings) !== null);
  const [status, setStatus] = useState('');

  useEffect(() => {
    const fields = pinFields(form);
    const start = readPin(form, settings);
    if (!start) fields.lat.value = fields.lon.value = '';
    const m = leafletMap(box.current!, {
      center: start ? [start.lat, start.lon] : [settings.centre.lat, settings.centre.lon],
      zoom: start ? Math.max(settings.zoom, Math.min(16, settings.maxZoom)) : settings.zoom,
      maxZoom: settings.maxZoom,
      keyboard: true,
    });
    m.attributionControl.setPrefix(false);
    const icon = divIcon({ className: 'map-pin__pin', html: '<span></span>', iconSize: [24, 24], iconAnchor: [12, 24] });
    const place = (at: Pin) => {
      if (markerRef.current) markerRef.current.setLatLng([at.lat, at.lon]);
      else markerRef.current = leafletMarker([at.lat, at.lon], { icon, keyboard: false, interactive: false }).addTo(m);
    };
    if (start) place(start);
    const drop = (at: LatLng) => {
      if (!isInBounds(settings.bounds, at.lat, at.lng)) {
        setStatus(text.outside);
        return;
      }
      const pin = { lat: Number(at.lat.toFixed(PLACES)), lon: Number(at.lng.toFixed(PLACES)) };
      fields.lat.value = String(pin.lat);
      fields.lon.value = String(pin.lon);
      place(pin);
      setPinned(true);
      setStatus(text.dropped.replace('{lat}', String(pin.lat)).replace('{lon}', String(pin.lon)));
    };
    let loaded = false;
    const layer = tileLayer(settings.tileUrl, { maxZoom: settings.maxZoom, attribution: escapeHtml(settings.attribution) });
    layer.on('tileload', () => (loaded = true));
    layer.on('tileerror', () => {
      if (loaded || mapRef.current === null) return;
      mapRef.current = null;
      m.remove();
      setFailed(true);
    });
    layer.addTo(m);
    m.on('click', (e) => drop(e.latlng));
    const container = box.current!;
    const onKey = (e: KeyboardEvent) => {
      if (e.target !== container || (e.key !== 'Enter' && e.key !== ' ')) return;
      e.preventDefault();
      drop(m.getCenter());
    };
    container.addEventListener('keydown', onKey);
    mapRef.current = m;
    return () => {
      container.removeEventListener('keydown', onKey);
      if (mapRef.current) m.remove();
    };
  }, []);

  const remove = () => {
    const fields = pinFields(form);
    fields.lat.value = fields.lon.value = '';
    markerRef.current?.remove();
    markerRef.current = null;
    setPinned(false);
    setStatus(text.removed);
    box.current?.focus();
  };

  if (failed) return null;
  return h('div', { class: 'form-group map-pin' }, [
    h('h2', { class: 'heading-s', id: 'map-pin-label' }, text.label),
    h('p', { class: 'hint', id: 'map-pin-hint' }, text.hint),
    h('div', { ref: box, class: 'map-pin__map', role: 'application', 'aria-labelledby': 'map-pin-label', 'aria-describedby': 'map-pin-hint', 'data-map': '' }),
    h('p', { class: 'map-pin__status', role: 'status' }, status),
    pinned ? h('button', { type: 'button', class: 'button button--secondary', onClick: remove }, text.remove) : null,
  ]);
}

/** Mount the island on every [data-map-pin] element inside a form. */
export function mountMapPins(): void {
  for (const el of document.querySelectorAll<HTMLElement>('[data-map-pin]')) {
    const form = el.closest('form');
    if (!form || !el.dataset.mapPin) continue;
    const props = JSON.parse(el.dataset.mapPin) as MapPinProps;
    render(h(MapPin, { ...props, form }), el);
  }
}
